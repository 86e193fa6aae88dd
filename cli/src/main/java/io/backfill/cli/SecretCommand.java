package io.backfill.cli;

import io.backfill.contracts.serde.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code backfill secret …}: the tenant's BYOK secrets, such as the LLM key {@code OPENAI_API_KEY}.
 * The value never goes on the command line (where the process list and shell history would keep
 * it): it comes from an environment variable, a hidden prompt, or stdin.
 */
@Command(
    name = "secret",
    mixinStandardHelpOptions = true,
    description =
        "Stores or deletes the tenant's secrets, e.g. its own LLM key (OPENAI_API_KEY) and"
            + " OPENAI_BASE_URL. Values are write-only: the gateway never returns them.",
    subcommands = {SecretCommand.Put.class, SecretCommand.Delete.class})
final class SecretCommand {

  private static String path(String name) {
    return "api/v1/tenant/secrets/" + URLEncoder.encode(name.strip(), StandardCharsets.UTF_8);
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = {
        "Stores (or replaces) a secret of the tenant. The value is read from --from-env VAR, else"
            + " from a hidden prompt on a terminal, else from stdin (a trailing newline is"
            + " dropped):",
        "  printenv MY_OPENAI_KEY | backfill secret put OPENAI_API_KEY"
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:stored",
        "2:bad input (no value)",
        "4:gateway unreachable, not answering, or it has no master key (503)",
        "5:the gateway rejected the name or value",
        "6:no or a wrong API key"
      })
  static final class Put implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin GatewayOptions gateway;
    @Mixin GatewayOptions.ApiKey apiKey;

    @Parameters(
        paramLabel = "NAME",
        description = "The secret's name, any case: OPENAI_API_KEY, OPENAI_BASE_URL, …")
    String name;

    @Option(
        names = "--from-env",
        paramLabel = "VAR",
        description = "Read the value from this environment variable.")
    String fromEnv;

    @Override
    public Integer call() {
      String value = value();
      gateway
          .client(apiKey.require())
          .put(path(name), EventJson.mapper().createObjectNode().put("value", value));
      spec.commandLine().getOut().println("Stored secret " + name.strip() + ".");
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }

    private String value() {
      BackfillCommand root = (BackfillCommand) spec.root().userObject();
      String value;
      if (fromEnv != null) {
        value = root.env().get(fromEnv.strip());
        if (value == null || value.isBlank()) {
          throw invalid("--from-env: the variable " + fromEnv.strip() + " is unset or empty");
        }
      } else {
        Console console = root.console();
        if (console != null) {
          char[] typed = console.readPassword("Value of %s (hidden): ", name.strip());
          value = typed == null ? "" : new String(typed);
        } else {
          value = readAll(root);
        }
      }
      value = value.stripTrailing();
      if (value.isEmpty()) {
        throw invalid("no value for " + name.strip() + " (give --from-env VAR or pipe it in)");
      }
      return value;
    }

    private static String readAll(BackfillCommand root) {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        root.in().transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the secret from stdin", e);
      }
    }

    private ParameterException invalid(String message) {
      return new ParameterException(spec.commandLine(), message);
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Deletes a secret of the tenant.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:deleted",
        "2:bad input",
        "4:gateway unreachable or not answering",
        "6:no or a wrong API key",
        "7:no such secret"
      })
  static final class Delete implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin GatewayOptions gateway;
    @Mixin GatewayOptions.ApiKey apiKey;

    @Parameters(paramLabel = "NAME", description = "The secret's name, any case.")
    String name;

    @Override
    public Integer call() {
      gateway.client(apiKey.require()).delete(path(name));
      spec.commandLine().getOut().println("Deleted secret " + name.strip() + ".");
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }
}
