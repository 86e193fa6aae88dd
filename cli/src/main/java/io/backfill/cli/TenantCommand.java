package io.backfill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.contracts.serde.EventJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code backfill tenant …}: the operator's tenant commands (admin token). */
@Command(
    name = "tenant",
    mixinStandardHelpOptions = true,
    description = "Creates tenants and their API keys (admin token).",
    subcommands = {
      TenantCommand.Create.class,
      TenantCommand.AddKey.class,
      TenantCommand.BindDirectory.class,
      TenantCommand.ConsentUrl.class
    })
final class TenantCommand {

  /** Prints an issued key: shown this once, the gateway keeps only its hash. */
  private static int printKey(Output output, JsonNode issued, boolean quiet, String what) {
    String key = issued.path("apiKey").asText();
    if (quiet) {
      output.out().println(key);
      output.out().flush();
      return ExitCodes.OK;
    }
    output.print(
        issued,
        List.of(
            what + " " + issued.path("tenantId").asText(),
            "  apiKey:   " + key,
            "  The key is shown this once; the gateway keeps only its hash. Use it with:",
            "  export BACKFILL_API_KEY=" + key));
    return ExitCodes.OK;
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Creates a tenant and its first API key, and prints the key (shown once).",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:created",
        "2:bad input",
        "4:gateway unreachable or not answering",
        "5:the gateway rejected the id (1-63 of a-z, 0-9 and '-', not starting with '-')",
        "6:no admin token, or a tenant key instead (403)",
        "8:the tenant exists (add a key with 'tenant add-key')"
      })
  static final class Create implements Callable<Integer> {

    @Mixin GatewayOptions gateway;
    @Mixin GatewayOptions.AdminToken adminToken;
    @Mixin Output output;

    @Parameters(paramLabel = "TENANT", description = "The tenant id, e.g. acme.")
    String tenantId;

    @Option(names = "--name", paramLabel = "NAME", description = "Display name. Default: the id.")
    String name;

    @Option(
        names = {"-q", "--quiet"},
        description = "Print only the key (KEY=$(backfill tenant create -q acme)).")
    boolean quiet;

    @Override
    public Integer call() {
      ObjectNode body = EventJson.mapper().createObjectNode().put("tenantId", tenantId.strip());
      if (name != null) {
        body.put("name", name.strip());
      }
      JsonNode issued =
          gateway.client(adminToken.require()).post("api/v1/admin/tenants", body, Map.of()).body();
      return printKey(output, issued, quiet, "Created tenant");
    }
  }

  @Command(
      name = "add-key",
      mixinStandardHelpOptions = true,
      description = "Issues another API key for a tenant and prints it (shown once).",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:issued",
        "2:bad input",
        "4:gateway unreachable or not answering",
        "6:no admin token, or a tenant key instead (403)",
        "7:no such tenant"
      })
  static final class AddKey implements Callable<Integer> {

    @Mixin GatewayOptions gateway;
    @Mixin GatewayOptions.AdminToken adminToken;
    @Mixin Output output;

    @Parameters(paramLabel = "TENANT", description = "The tenant id.")
    String tenantId;

    @Option(
        names = {"-q", "--quiet"},
        description = "Print only the key.")
    boolean quiet;

    @Override
    public Integer call() {
      JsonNode issued =
          gateway
              .client(adminToken.require())
              .post(
                  "api/v1/admin/tenants/"
                      + URLEncoder.encode(tenantId.strip(), StandardCharsets.UTF_8)
                      + "/api-keys",
                  null,
                  Map.of())
              .body();
      return printKey(output, issued, quiet, "New API key for tenant");
    }
  }

  @Command(
      name = "bind-directory",
      mixinStandardHelpOptions = true,
      description =
          "Binds a Microsoft Entra directory to a tenant (platform admin). Only for a directory"
              + " whose administrator consented to the operator's app; a tenant binds its own"
              + " directory with 'tenant consent-url'.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:bound",
        "2:bad input",
        "4:gateway unreachable or not answering",
        "5:the gateway rejected the directory id",
        "6:no admin token, or a tenant key instead (403)",
        "7:no such tenant"
      })
  static final class BindDirectory implements Callable<Integer> {

    @Mixin GatewayOptions gateway;
    @Mixin GatewayOptions.AdminToken adminToken;
    @Mixin Output output;

    @Parameters(index = "0", paramLabel = "TENANT", description = "The tenant id.")
    String tenantId;

    @Parameters(
        index = "1",
        paramLabel = "DIRECTORY",
        description = "The directory (Entra tenant) id, a GUID.")
    String directoryId;

    @Override
    public Integer call() {
      gateway
          .client(adminToken.require())
          .put(
              "api/v1/admin/tenants/"
                  + URLEncoder.encode(tenantId.strip(), StandardCharsets.UTF_8)
                  + "/graph-directory",
              EventJson.mapper().createObjectNode().put("directoryId", directoryId.strip()));
      output.print(
          EventJson.mapper()
              .createObjectNode()
              .put("tenantId", tenantId.strip())
              .put("directoryId", directoryId.strip()),
          List.of("Bound directory " + directoryId.strip() + " to tenant " + tenantId.strip()));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "consent-url",
      mixinStandardHelpOptions = true,
      description =
          "Prints the admin-consent URL for the caller's tenant (API key): the administrator of"
              + " the organisation's directory opens it, consents, and the directory is bound.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:printed",
        "4:gateway unreachable or not answering, or it has no Graph app for consent (503)",
        "6:no or a bad API key"
      })
  static final class ConsentUrl implements Callable<Integer> {

    @Mixin GatewayOptions gateway;
    @Mixin GatewayOptions.ApiKey apiKey;
    @Mixin Output output;

    @Option(
        names = "--login-hint",
        paramLabel = "EMAIL",
        description = "The administrator's sign-in name, passed on to the sign-in page.")
    String loginHint;

    @Override
    public Integer call() {
      String path =
          loginHint == null
              ? "api/v1/graph/consent"
              : "api/v1/graph/consent?loginHint="
                  + URLEncoder.encode(loginHint.strip(), StandardCharsets.UTF_8);
      JsonNode consent = gateway.client(apiKey.require()).get(path);
      output.print(
          consent,
          List.of(
              consent.path("consentUrl").asText(),
              "  Valid until " + consent.path("expiresAt").asText() + ", once."));
      return ExitCodes.OK;
    }
  }
}
