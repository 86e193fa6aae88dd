package io.backfill.cli;

import io.backfill.cli.format.Formats;
import io.backfill.cli.format.Table;
import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import java.io.PrintWriter;
import java.util.Map;

/** What demo and up print about a running local stack. */
final class Stacks {

  private Stacks() {}

  /** Each part with its URL, the build it runs (from its own /version) and its log. */
  static void printParts(LocalStack stack, PrintWriter out) {
    Map<String, String> shas = stack.buildShas();
    Table table = Table.of("PART", "URL", "BUILD", "LOG");
    table.row("kafka", stack.kafka().bootstrapServers(), "4.1.1", stack.kafka().log());
    table.row(
        "postgresql",
        stack.postgres().jdbcUrl(stack.databaseName())
            + (stack.postgres().embedded() ? " (embedded)" : ""),
        "-",
        "-");
    for (ServiceNode node : stack.processes()) {
      table.row(
          node.name(),
          node.baseUrl(),
          Formats.shortened(shas.getOrDefault(node.name(), "-"), 12),
          node.log());
    }
    out.println("Every part is ready (/q/health/ready):");
    table.lines().forEach(line -> out.println("  " + line));
    out.flush();
  }
}
