package io.backfill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.format.Formats;
import io.backfill.cli.format.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code backfill fleet}: every service instance and worker seen, with its build. */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    description =
        "Prints every service instance and worker the gateway has seen, with build SHA and last"
            + " seen, and flags services running mixed versions. Admin token.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:printed (mixed versions are flagged in the output, not in the exit code)",
      "2:bad input",
      "4:gateway unreachable or not answering",
      "6:no admin token, or a tenant key instead (403)"
    })
final class FleetCommand implements Callable<Integer> {

  @Mixin GatewayOptions gateway;
  @Mixin GatewayOptions.AdminToken adminToken;
  @Mixin Output output;

  @Override
  public Integer call() {
    JsonNode fleet = gateway.client(adminToken.require()).get("api/v1/ops/fleet");
    output.print(fleet, text(fleet));
    return ExitCodes.OK;
  }

  static List<String> text(JsonNode fleet) {
    Table table = Table.of("SERVICE", "INSTANCE", "BUILD", "LAST SEEN", "LIVE");
    for (JsonNode instance : fleet.path("instances")) {
      table.row(
          instance.path("service").asText(),
          instance.path("instanceId").asText(),
          Formats.shortened(Formats.text(instance.get("buildSha")), 12),
          Formats.instant(instance.get("lastSeen")),
          instance.path("live").asBoolean() ? "yes" : "no");
    }
    List<String> lines = new ArrayList<>(table.lines());
    for (JsonNode service : fleet.path("services")) {
      if (service.path("mixedVersions").asBoolean()) {
        StringJoiner builds = new StringJoiner(", ");
        service.path("liveBuildShas").forEach(sha -> builds.add(sha.asText()));
        lines.add(
            "MIXED VERSIONS: " + service.path("service").asText() + " runs " + builds + " at once");
      }
    }
    if (!fleet.path("mixedVersions").asBoolean()) {
      lines.add("Every service runs one build.");
    }
    return lines;
  }
}
