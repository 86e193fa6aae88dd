package io.backfill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.cli.format.Formats;
import io.backfill.cli.format.Table;
import io.backfill.cli.gateway.GatewayClient;
import io.backfill.contracts.serde.EventJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code backfill list}: the tenant's jobs, newest first, a page at a time or all of them. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "Lists the tenant's jobs, newest first.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:listed (maybe none)",
      "2:bad input",
      "4:gateway unreachable or not answering",
      "5:the gateway rejected a filter (bad status, limit or cursor)",
      "6:no or a wrong API key"
    })
final class ListCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin GatewayOptions gateway;
  @Mixin GatewayOptions.ApiKey apiKey;
  @Mixin Output output;

  @Option(
      names = "--status",
      paramLabel = "STATUS",
      description = "Only jobs in this state (pending, running, paused, completed, …).")
  String status;

  @Option(names = "--mailbox", paramLabel = "MAILBOX", description = "Only this mailbox's jobs.")
  String mailbox;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Jobs per page. Default: the gateway's (50).")
  Integer limit;

  @Option(
      names = "--cursor",
      paramLabel = "CURSOR",
      description = "Start after this cursor (printed under a page that has more).")
  String cursor;

  @Option(names = "--all", description = "Follow the cursors and list every page.")
  boolean all;

  @Override
  public Integer call() {
    GatewayClient client = gateway.client(apiKey.require());
    List<JsonNode> items = new ArrayList<>();
    String next = cursor;
    do {
      JsonNode page = client.get("api/v1/backfills" + query(next));
      page.path("items").forEach(items::add);
      next = page.hasNonNull("nextCursor") ? page.get("nextCursor").asText() : null;
    } while (all && next != null);

    ObjectNode body = EventJson.mapper().createObjectNode();
    ArrayNode array = body.putArray("items");
    items.forEach(array::add);
    body.put("nextCursor", next);
    output.print(body, text(items, next));
    return ExitCodes.OK;
  }

  private static List<String> text(List<JsonNode> items, String next) {
    if (items.isEmpty()) {
      return List.of("No jobs.");
    }
    Table table = Table.of("JOB", "STATUS", "MAILBOX", "WINDOW", "CHUNKS", "FETCHED", "UPDATED");
    for (JsonNode item : items) {
      table.row(
          item.path("jobId").asText(),
          item.path("status").asText(),
          item.path("mailbox").asText(),
          Formats.instant(item.path("window").get("from"))
              + ".."
              + Formats.instant(item.path("window").get("to")),
          Formats.count(item.path("chunksPublished").asLong())
              + (item.path("hasMore").asBoolean() ? "+" : ""),
          Formats.count(item.path("messagesFetched").asLong()),
          Formats.instant(item.get("updatedAt")));
    }
    List<String> lines = new ArrayList<>(table.lines());
    if (next != null) {
      lines.add("More: --cursor " + next);
    }
    return lines;
  }

  private String query(String pageCursor) {
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    add(query, "status", status);
    add(query, "mailbox", mailbox);
    add(query, "limit", limit == null ? null : limit.toString());
    add(query, "cursor", pageCursor);
    return query.toString();
  }

  private static void add(StringJoiner query, String name, String value) {
    if (value != null && !value.isBlank()) {
      query.add(name + "=" + URLEncoder.encode(value.strip(), StandardCharsets.UTF_8));
    }
  }
}
