package io.backfill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.format.Formats;
import io.backfill.cli.format.Table;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code backfill lag}: consumer-group lag per topic, read from the broker by the gateway now. */
@Command(
    name = "lag",
    mixinStandardHelpOptions = true,
    description =
        "Prints each consumer group's lag per topic (and per partition with --partitions), as the"
            + " gateway reads it from the broker now. Admin token.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:printed",
      "2:bad input",
      "4:gateway unreachable, not answering, or its broker did not answer (503)",
      "6:no admin token, or a tenant key instead (403)"
    })
final class LagCommand implements Callable<Integer> {

  @Mixin GatewayOptions gateway;
  @Mixin GatewayOptions.AdminToken adminToken;
  @Mixin Output output;

  @Option(names = "--group", paramLabel = "GROUP", description = "Only this consumer group.")
  String group;

  @Option(names = "--partitions", description = "One row per partition, with offsets.")
  boolean partitions;

  @Override
  public Integer call() {
    String query =
        group == null || group.isBlank()
            ? ""
            : "?group=" + URLEncoder.encode(group.strip(), StandardCharsets.UTF_8);
    JsonNode lag = gateway.client(adminToken.require()).get("api/v1/ops/lag" + query);
    output.print(lag, partitions ? byPartition(lag) : byTopic(lag));
    return ExitCodes.OK;
  }

  private static List<String> byTopic(JsonNode lag) {
    Table table = Table.of("GROUP", "TOPIC", "LAG");
    for (JsonNode group : lag.path("groups")) {
      for (JsonNode topic : group.path("topics")) {
        table.row(
            group.path("group").asText(),
            topic.path("topic").asText(),
            Formats.count(topic.path("lag").asLong()));
      }
    }
    return table.isEmpty() ? List.of("No consumer groups.") : withTotal(table, lag);
  }

  private static List<String> byPartition(JsonNode lag) {
    Table table = Table.of("GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG");
    for (JsonNode group : lag.path("groups")) {
      for (JsonNode topic : group.path("topics")) {
        for (JsonNode partition : topic.path("partitions")) {
          table.row(
              group.path("group").asText(),
              topic.path("topic").asText(),
              partition.path("partition").asText(),
              Formats.count(partition.path("committedOffset").asLong()),
              Formats.count(partition.path("endOffset").asLong()),
              Formats.count(partition.path("lag").asLong()));
        }
      }
    }
    return table.isEmpty() ? List.of("No consumer groups.") : withTotal(table, lag);
  }

  private static List<String> withTotal(Table table, JsonNode lag) {
    long total = 0;
    for (JsonNode group : lag.path("groups")) {
      total += group.path("lag").asLong();
    }
    List<String> lines = new ArrayList<>(table.lines());
    lines.add("Total lag: " + Formats.count(total));
    return lines;
  }
}
