package io.backfill.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One row per scenario, printed at the end of the run and written to target/. */
final class ScenarioTable {

  record Row(
      String scenario,
      Duration duration,
      long messages,
      long documents,
      long attempts,
      long retries,
      long timeouts,
      long reExtracted,
      String result) {}

  private final List<Row> rows = new ArrayList<>();

  synchronized void add(Row row) {
    rows.add(row);
  }

  synchronized String render() {
    StringBuilder text = new StringBuilder();
    String format = "%-46s %9s %8s %9s %8s %7s %8s %11s  %s%n";
    text.append(
        String.format(
            format,
            "scenario",
            "duration",
            "messages",
            "documents",
            "attempts",
            "retries",
            "timeouts",
            "re-extracted",
            "result"));
    for (Row row : rows) {
      text.append(
          String.format(
              format,
              row.scenario(),
              String.format("%.1f s", row.duration().toMillis() / 1000.0),
              row.messages(),
              row.documents(),
              row.attempts(),
              row.retries(),
              row.timeouts(),
              row.reExtracted(),
              row.result()));
    }
    return text.toString();
  }

  void print(Path file) {
    String table = render();
    System.out.println("\n=== Backfill system scenarios ===\n" + table);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, table);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }
}
