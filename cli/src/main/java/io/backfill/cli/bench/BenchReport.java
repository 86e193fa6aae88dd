package io.backfill.cli.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.contracts.serde.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@code backfill bench} measured: the machine, the parameters, one row per figure
 * (median, min, max over the runs, target, met or missed), per-process usage and every run's raw
 * figures. Printed as a table, written as JSON and appended to {@code docs/performance.md}.
 */
public final class BenchReport {

  /** The heading {@code docs/performance.md} starts with when the bench creates it. */
  static final String MARKDOWN_HEADER =
      """
      # Performance

      Sections appended by `./backfill bench` (cli/README.md), newest last. Each figure is the
      median of the runs with min and max; a missed target is reported, not hidden. Figures taken
      while other work ran on the machine say so next to their load average.
      """;

  private final Instant startedAt;
  private final String gitCommit;
  private final Machine machine;
  private final Map<String, String> parameters;
  private final List<Figure> figures = new ArrayList<>();
  private final List<RunRecord> runs = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private Instant finishedAt;
  private String loadAtEnd = "-";
  private String loadAtStart;

  public BenchReport(
      Instant startedAt, String gitCommit, Machine machine, Map<String, String> parameters) {
    this.startedAt = startedAt.truncatedTo(ChronoUnit.SECONDS);
    this.gitCommit = gitCommit;
    this.machine = machine;
    this.parameters = new LinkedHashMap<>(parameters);
    this.loadAtStart = Numbers.format(machine.loadAtStart());
  }

  public BenchReport loadAtStart(String averages) {
    this.loadAtStart = averages;
    return this;
  }

  public BenchReport add(Figure figure) {
    figures.add(figure);
    return this;
  }

  public BenchReport add(RunRecord run) {
    runs.add(run);
    return this;
  }

  public BenchReport note(String note) {
    notes.add(note);
    return this;
  }

  public BenchReport finish(Instant at, String loadAverages) {
    this.finishedAt = at.truncatedTo(ChronoUnit.SECONDS);
    this.loadAtEnd = loadAverages;
    return this;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public List<Figure> figures() {
    return List.copyOf(figures);
  }

  public List<RunRecord> runs() {
    return List.copyOf(runs);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  /** The one table: scenario, figure, median, min, max, target, met/missed, runs completed. */
  public List<String> table() {
    return figureGrid().lines();
  }

  private Grid figureGrid() {
    Grid table = Grid.of("SCENARIO", "FIGURE", "MEDIAN", "MIN", "MAX", "TARGET", "RESULT", "RUNS");
    for (Figure f : figures) {
      int completed = f.values().size();
      if (f.measured()) {
        Stats s = f.stats();
        table.row(
            f.scenario(),
            f.name(),
            Numbers.format(s.median()),
            Numbers.format(s.min()),
            Numbers.format(s.max()),
            f.target() == null ? "-" : f.target().toString(),
            f.verdict(),
            completed + "/" + f.runs());
      } else {
        table.row(
            f.scenario(),
            f.name(),
            "-",
            "-",
            "-",
            f.target() == null ? "-" : f.target().toString(),
            f.verdict(),
            completed + "/" + f.runs());
      }
    }
    return table;
  }

  /**
   * Per process of each scenario that measured them: CPU share, peak RSS, idle rate and CPU per
   * message and per chunk at steady state over its runs, and all processes summed.
   */
  public List<String> processTable() {
    ProcessTable table = new ProcessTable(runs);
    return table.isEmpty() ? List.of() : table.grid().lines();
  }

  /** Every run: scenario, run, status, its raw figures and the load average it started at. */
  public List<String> runTable() {
    return runGrid().lines();
  }

  private Grid runGrid() {
    Grid table = Grid.of("SCENARIO", "RUN", "STATUS", "LOAD", "FIGURES");
    for (RunRecord run : runs) {
      StringBuilder raw = new StringBuilder();
      run.figures()
          .forEach(
              (name, value) ->
                  raw.append(raw.length() == 0 ? "" : ", ")
                      .append(name)
                      .append(' ')
                      .append(Numbers.format(value)));
      if (run.detail() != null && !run.detail().isBlank()) {
        raw.append(raw.length() == 0 ? "" : "; ").append(run.detail());
      }
      table.row(
          run.scenario(),
          run.run(),
          run.completed() ? "completed" : "FAILED",
          Numbers.format(run.loadAverage()),
          raw.toString());
    }
    return table;
  }

  public ObjectNode toJson() {
    ObjectNode root = EventJson.mapper().createObjectNode();
    root.put("startedAt", startedAt.toString());
    root.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
    root.put("gitCommit", gitCommit);
    ObjectNode m = root.putObject("machine");
    m.put("cores", machine.cores());
    m.put("cpuModel", machine.cpuModel());
    m.put("memoryKib", machine.memoryKib());
    m.put("jdk", machine.jdk());
    m.put("os", machine.os());
    m.put("loadAverageAtStart", loadAtStart);
    m.put("loadAverageAtEnd", loadAtEnd);
    ObjectNode p = root.putObject("parameters");
    parameters.forEach(p::put);
    ArrayNode fs = root.putArray("figures");
    for (Figure f : figures) {
      ObjectNode node = fs.addObject();
      node.put("scenario", f.scenario());
      node.put("figure", f.name());
      node.put("unit", f.unit());
      ArrayNode values = node.putArray("values");
      f.values().forEach(values::add);
      node.put("runs", f.runs());
      if (f.measured()) {
        Stats s = f.stats();
        node.put("median", s.median());
        node.put("min", s.min());
        node.put("max", s.max());
      }
      node.put("target", f.target() == null ? null : f.target().toString());
      node.put("result", f.verdict());
    }
    ArrayNode ps = root.putArray("processes");
    new ProcessTable(runs).json(ps);
    ArrayNode rs = root.putArray("runs");
    for (RunRecord run : runs) {
      ObjectNode node = rs.addObject();
      node.put("scenario", run.scenario());
      node.put("run", run.run());
      node.put("completed", run.completed());
      node.put("detail", run.detail());
      node.put("loadAverage", run.loadAverage());
      ObjectNode raw = node.putObject("figures");
      run.figures().forEach(raw::put);
      ArrayNode procs = node.putArray("processes");
      for (ProcessUsage usage : run.processes()) {
        ProcessTable.json(procs.addObject(), usage);
      }
    }
    ArrayNode ns = root.putArray("notes");
    notes.forEach(ns::add);
    return root;
  }

  public void writeJson(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    EventJson.mapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), toJson());
  }

  /** The section appended to {@code docs/performance.md}. */
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("\n## Bench ").append(startedAt).append(", commit ").append(gitCommit).append("\n\n");
    md.append("- Machine: ")
        .append(machine.cores())
        .append(" cores (")
        .append(machine.cpuModel())
        .append("), ")
        .append(machine.memoryKib() < 0 ? "unknown" : (machine.memoryKib() / 1024) + " MiB")
        .append(" memory, JDK ")
        .append(machine.jdk())
        .append(", ")
        .append(machine.os())
        .append('\n');
    md.append("- Load average (1, 5, 15 min): ")
        .append(loadAtStart)
        .append(" at start, ")
        .append(loadAtEnd)
        .append(" at end")
        .append(finishedAt == null ? "" : " (" + finishedAt + ")")
        .append('\n');
    md.append("- Parameters: ");
    List<String> ps = new ArrayList<>();
    parameters.forEach((k, v) -> ps.add("`" + k + "` " + v));
    md.append(String.join(", ", ps)).append("\n\n");
    md.append(figureGrid().markdown());
    ProcessTable processes = new ProcessTable(runs);
    if (!processes.isEmpty()) {
      md.append(
          "\nPer process, medians over the runs (CPU share of all cores from the submit to the"
              + " end; peak RSS is VmHWM, for PostgreSQL summed over the database's backends;"
              + " IDLE is CPU ms per second with the stack up and no job; CPU ms/msg and ms/chunk"
              + " (100 messages) are over the steady state, from the mark after 10 % of the"
              + " chunks to the end of the job; NET takes the idle rate away; `"
              + ProcessTable.ALL
              + "` sums the stack's processes, not the bench's JVM; `"
              + ProcessTable.PIPELINE
              + "` the same without the simulator, which stands in for Graph and the LLM; JIT and"
              + " GC are what the compiler threads and the garbage collector used of CPU ms/msg):"
              + "\n\n");
      md.append(processes.grid().markdown());
    }
    md.append("\nRuns:\n\n");
    md.append(runGrid().markdown());
    if (!notes.isEmpty()) {
      md.append('\n');
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    return md.toString();
  }

  /** Appends {@link #markdown()} to {@code file}, creating it with a heading when missing. */
  public void appendMarkdown(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!Files.exists(file)) {
      Files.writeString(file, MARKDOWN_HEADER, StandardCharsets.UTF_8);
    }
    Files.writeString(file, markdown(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }
}
