package io.backfill.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row per scenario run, for the whole test run (every class): printed at the end and written to
 * target/; with {@code -Pchaos} also summed up per scenario into docs/reliability.md.
 */
final class ScenarioTable {

  /**
   * One run of a scenario.
   *
   * @param lost documents below the expected count
   * @param duplicated (message, entity) mentions recorded twice plus documents extracted twice
   * @param falseTimeouts attempts timed out whose process the scenario did not kill or freeze
   * @param toTerminal submission to terminal state; null when the job never got there
   */
  record Row(
      String scenario,
      Duration duration,
      long messages,
      long documents,
      long attempts,
      long retries,
      long timeouts,
      long reExtracted,
      long lost,
      long duplicated,
      long falseTimeouts,
      Duration toTerminal,
      String result) {}

  private static final ScenarioTable SHARED = new ScenarioTable();

  private final List<Row> rows = new ArrayList<>();

  /** The test run's table. */
  static ScenarioTable shared() {
    return SHARED;
  }

  synchronized void add(Row row) {
    rows.add(row);
    // One line as each scenario ends: a long run shows its progress before the last table.
    System.out.printf(
        "Scenario %s: %s in %s (documents %d of %d, timeouts %d, duplicated %d)%n",
        row.scenario(),
        row.result(),
        seconds(row.duration()),
        row.documents(),
        row.messages(),
        row.timeouts(),
        row.duplicated());
  }

  synchronized List<Row> rows() {
    return List.copyOf(rows);
  }

  synchronized String render() {
    StringBuilder text = new StringBuilder();
    String format = "%-46s %9s %8s %9s %8s %7s %8s %11s %5s %5s %6s  %s%n";
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
            "lost",
            "dup",
            "false",
            "result"));
    for (Row row : rows) {
      text.append(
          String.format(
              format,
              row.scenario(),
              seconds(row.duration()),
              row.messages(),
              row.documents(),
              row.attempts(),
              row.retries(),
              row.timeouts(),
              row.reExtracted(),
              row.lost(),
              row.duplicated(),
              row.falseTimeouts(),
              row.result()));
    }
    return text.toString();
  }

  void print(Path file) {
    String table = render();
    System.out.println("\n=== Backfill system scenarios ===\n" + table);
    write(file, table);
  }

  /**
   * The reliability table: per scenario, how many runs, and over them what was lost, duplicated,
   * timed out falsely, and the time to a terminal state (min / max).
   */
  synchronized String reliability(int rounds, Instant when) {
    Map<String, List<Row>> byScenario = new LinkedHashMap<>();
    for (Row row : rows) {
      byScenario.computeIfAbsent(row.scenario(), s -> new ArrayList<>()).add(row);
    }
    StringBuilder text = new StringBuilder();
    text.append("# Reliability: the fault matrix, repeated\n\n")
        .append("<!-- GENERATED FILE: do not edit. Written by the system-tests run with -Pchaos:\n")
        .append("     ./mvnw -B verify -Pchaos -DskipTests\n")
        .append("     (every scenario of system-tests, each run ")
        .append(rounds)
        .append(" times on one stack). -->\n\n")
        .append("Generated ")
        .append(when)
        .append(". `lost`: documents below the window's messages; `duplicated`: mentions")
        .append(" recorded twice plus documents extracted twice; `false timeouts`: attempts timed")
        .append(" out whose process was neither killed nor frozen; `time to terminal`: submission")
        .append(" to a terminal state, fastest / slowest run (`—`: a run never got there).\n\n")
        .append(
            "| scenario | runs | passed | lost | duplicated | false timeouts | time to terminal |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, List<Row>> entry : byScenario.entrySet()) {
      List<Row> runs = entry.getValue();
      long passed = runs.stream().filter(r -> r.result().equals("passed")).count();
      long lost = runs.stream().mapToLong(Row::lost).sum();
      long duplicated = runs.stream().mapToLong(Row::duplicated).sum();
      long falseTimeouts = runs.stream().mapToLong(Row::falseTimeouts).sum();
      List<Duration> terminal =
          runs.stream().map(Row::toTerminal).filter(d -> d != null).sorted().toList();
      String times =
          terminal.isEmpty()
              ? "—"
              : seconds(terminal.get(0))
                  + " / "
                  + seconds(terminal.get(terminal.size() - 1))
                  + (terminal.size() < runs.size() ? " (—)" : "");
      text.append(
          String.format(
              "| %s | %d | %d | %d | %d | %d | %s |%n",
              entry.getKey(), runs.size(), passed, lost, duplicated, falseTimeouts, times));
    }
    return text.toString();
  }

  private static String seconds(Duration duration) {
    return duration == null ? "—" : String.format("%.1f s", duration.toMillis() / 1000.0);
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }
}
