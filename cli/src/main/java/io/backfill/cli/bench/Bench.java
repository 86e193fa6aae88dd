package io.backfill.cli.bench;

import io.backfill.stack.StackStartException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The scenarios of {@code backfill bench} run one after the other, each {@code runs} times on a
 * fresh stack, and what they measured turned into figures with targets.
 */
public final class Bench {

  /** P1's shape: W workers × C concurrent LLM calls ÷ L latency is the limit it is held to. */
  static final int WORKERS = 2;

  static final int LLM_CONCURRENCY = 32;
  static final Duration LLM_LATENCY = Duration.ofMillis(200);
  static final Duration P3_HEARTBEAT = Duration.ofSeconds(5);
  static final double P3_DIE_FRACTION = 0.01;

  static final String MSG_PER_S = "msg/s";
  static final String EMBEDDINGS_PER_S = "embeddings/s";

  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** What to run and how big. */
  public record Params(
      int runs,
      List<String> scenarios,
      int p1Messages,
      int sequentialMessages,
      int p2Messages,
      int p2bMessages,
      int p3SyntheticRuns,
      Duration p3Duration,
      Probes probes) {

    public Params {
      scenarios = List.copyOf(scenarios);
    }
  }

  /**
   * @param stackFailed the stack that did not start (the bench stopped there), or null
   * @param allCompleted every run attempted completed
   */
  public record Outcome(
      BenchReport report, StackStartException stackFailed, boolean allCompleted) {}

  private final Path projectRoot;
  private final Path workDir;
  private final Params params;
  private final PrintWriter log;

  public Bench(Path projectRoot, Path workDir, Params params, PrintWriter log) {
    this.projectRoot = projectRoot;
    this.workDir = workDir;
    this.params = params;
    this.log = log;
  }

  /** The limit P1 is compared with: W × C ÷ L messages per second (one LLM call per message). */
  static double p1Limit() {
    return WORKERS * LLM_CONCURRENCY / (LLM_LATENCY.toMillis() / 1000.0);
  }

  public Outcome run() {
    Machine machine = Machine.read();
    BenchReport report =
        new BenchReport(Instant.now(), gitCommit(projectRoot), machine, parameters())
            .loadAtStart(Machine.loadAverages());
    StackStartException stackFailed = null;
    Map<String, List<RunRecord>> byScenario = new LinkedHashMap<>();
    scenarios:
    for (String scenario : params.scenarios()) {
      List<RunRecord> records = byScenario.computeIfAbsent(scenario, s -> new ArrayList<>());
      for (int run = 1; run <= params.runs(); run++) {
        RunRecord record;
        try {
          record = runOnce(scenario, run);
        } catch (StackStartException e) {
          log.printf("%s run %d: the stack did not start: %s%n", scenario, run, e.part());
          record =
              RunRecord.failed(
                  scenario, run, "stack did not start: " + firstLine(e), Machine.loadAverage());
          stackFailed = e;
        } catch (RuntimeException e) {
          // The other runs still tell something: this one is reported as failed, with why.
          log.printf("%s run %d: FAILED: %s%n", scenario, run, e);
          record = RunRecord.failed(scenario, run, e.toString(), Machine.loadAverage());
        }
        log.flush();
        records.add(record);
        report.add(record);
        if (stackFailed != null) {
          report.note(
              "Stopped at "
                  + scenario
                  + " run "
                  + run
                  + ": a stack did not start ("
                  + firstLine(stackFailed)
                  + ").");
          break scenarios;
        }
      }
    }
    figures(byScenario).forEach(report::add);
    if (params.scenarios().contains("P1b")) {
      report.note(
          "P1b runs "
              + params.sequentialMessages()
              + " messages, P1 "
              + params.p1Messages()
              + ": the speed-up compares their rates (msg/s), run by run.");
    }
    report.finish(Instant.now(), Machine.loadAverages());
    boolean allCompleted = report.runs().stream().allMatch(RunRecord::completed);
    return new Outcome(report, stackFailed, allCompleted);
  }

  private RunRecord runOnce(String scenario, int run) {
    if (scenario.equals("P3")) {
      return MonitorScale.run(
          projectRoot,
          params.p3SyntheticRuns(),
          P3_HEARTBEAT,
          params.p3Duration(),
          P3_DIE_FRACTION,
          run,
          log);
    }
    return PipelineScenario.run(projectRoot, workDir, spec(scenario), params.probes(), run, log);
  }

  /** What each pipeline scenario starts and measures. */
  PipelineScenario.Spec spec(String scenario) {
    return switch (scenario) {
      case "P1" ->
          new PipelineScenario.Spec(
              "P1", params.p1Messages(), WORKERS, true, LLM_LATENCY, p1WorkerEnv(false));
      case "P1b" ->
          new PipelineScenario.Spec(
              "P1b", params.sequentialMessages(), WORKERS, true, LLM_LATENCY, p1WorkerEnv(true));
      case "P2" ->
          new PipelineScenario.Spec(
              "P2",
              params.p2Messages(),
              WORKERS,
              false,
              null,
              Map.of("BACKFILL_WORKER_EMBEDDING_ENABLED", "false"));
      case "P2b" ->
          new PipelineScenario.Spec(
              "P2b",
              params.p2bMessages(),
              WORKERS,
              false,
              null,
              Map.of("BACKFILL_WORKER_EMBEDDING_ENABLED", "true"));
      default -> throw new IllegalArgumentException("not a pipeline scenario: " + scenario);
    };
  }

  private static Map<String, String> p1WorkerEnv(boolean sequential) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("BACKFILL_WORKER_LLM_MAX_CONCURRENT_CALLS", String.valueOf(LLM_CONCURRENCY));
    env.put("BACKFILL_WORKER_EMBEDDING_ENABLED", "false");
    if (sequential) {
      env.put("BACKFILL_WORKER_SEQUENTIAL", "true");
    }
    return env;
  }

  /** The figures of each scenario from its runs; only completed runs give values. */
  static List<Figure> figures(Map<String, List<RunRecord>> byScenario) {
    List<Figure> figures = new ArrayList<>();
    List<RunRecord> p1 = byScenario.getOrDefault("P1", List.of());
    if (byScenario.containsKey("P1")) {
      figures.add(figure("P1", MSG_PER_S, "msg/s", p1, MSG_PER_S, 1, null));
      figures.add(
          figure(
              "P1",
              "ratio to W×C/L = " + Numbers.format(p1Limit()) + " msg/s",
              "ratio",
              p1,
              MSG_PER_S,
              1 / p1Limit(),
              Target.atLeast(0.9)));
    }
    if (byScenario.containsKey("P1b")) {
      List<RunRecord> p1b = byScenario.get("P1b");
      figures.add(figure("P1b", MSG_PER_S + " (sequential)", "msg/s", p1b, MSG_PER_S, 1, null));
      figures.add(
          new Figure(
              "P1b",
              "speed-up P1 ÷ P1b (msg/s)",
              "ratio",
              speedUps(p1, p1b),
              p1b.size(),
              Target.atLeast(50)));
    }
    if (byScenario.containsKey("P2")) {
      figures.add(
          figure(
              "P2", MSG_PER_S, "msg/s", byScenario.get("P2"), MSG_PER_S, 1, Target.atLeast(2000)));
    }
    if (byScenario.containsKey("P2b")) {
      List<RunRecord> p2b = byScenario.get("P2b");
      figures.add(figure("P2b", MSG_PER_S, "msg/s", p2b, MSG_PER_S, 1, null));
      figures.add(figure("P2b", EMBEDDINGS_PER_S, "1/s", p2b, EMBEDDINGS_PER_S, 1, null));
    }
    List<RunRecord> p3 = byScenario.getOrDefault("P3", List.of());
    if (!p3.isEmpty()) {
      Target detection =
          p3.stream()
              .filter(RunRecord::completed)
              .map(r -> r.figures().get(MonitorScale.DETECTION_BOUND))
              .filter(v -> v != null)
              .findFirst()
              .map(Target::atMost)
              .orElse(null);
      figures.add(figure("P3", MonitorScale.INGEST, "1/s", p3, MonitorScale.INGEST, 1, null));
      figures.add(
          figure("P3", MonitorScale.TICK_P99, "s", p3, MonitorScale.TICK_P99, 1, Target.below(1)));
      figures.add(
          figure("P3", MonitorScale.DETECTION_P50, "s", p3, MonitorScale.DETECTION_P50, 1, null));
      figures.add(
          figure(
              "P3", MonitorScale.DETECTION_P99, "s", p3, MonitorScale.DETECTION_P99, 1, detection));
      figures.add(
          figure(
              "P3",
              MonitorScale.FALSE_TIMEOUTS,
              "count",
              p3,
              MonitorScale.FALSE_TIMEOUTS,
              1,
              Target.equalTo(0)));
      figures.add(
          figure(
              "P3",
              MonitorScale.UNDETECTED,
              "count",
              p3,
              MonitorScale.UNDETECTED,
              1,
              Target.equalTo(0)));
    }
    return figures;
  }

  private static Figure figure(
      String scenario,
      String name,
      String unit,
      List<RunRecord> runs,
      String key,
      double scale,
      Target target) {
    List<Double> values = new ArrayList<>();
    for (RunRecord run : runs) {
      Double value = run.completed() ? run.figures().get(key) : null;
      if (value != null && !value.isNaN()) {
        values.add(value * scale);
      }
    }
    return new Figure(scenario, name, unit, values, runs.size(), target);
  }

  /** P1 ÷ P1b msg/s of each run number where both completed. */
  static List<Double> speedUps(List<RunRecord> p1, List<RunRecord> p1b) {
    List<Double> ratios = new ArrayList<>();
    for (RunRecord sequential : p1b) {
      Optional<RunRecord> concurrent =
          p1.stream().filter(r -> r.run() == sequential.run() && r.completed()).findFirst();
      Double slow = sequential.completed() ? sequential.figures().get(MSG_PER_S) : null;
      if (concurrent.isPresent() && slow != null && slow > 0) {
        ratios.add(concurrent.get().figures().get(MSG_PER_S) / slow);
      }
    }
    return ratios;
  }

  private Map<String, String> parameters() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("runs", String.valueOf(params.runs()));
    p.put("scenarios", String.join(",", params.scenarios()));
    p.put("workers", String.valueOf(WORKERS));
    for (String scenario : params.scenarios()) {
      if (scenario.equals("P3")) {
        p.put(
            "P3",
            params.p3SyntheticRuns()
                + " synthetic runs, heartbeat every "
                + P3_HEARTBEAT.toSeconds()
                + " s for "
                + params.p3Duration().toSeconds()
                + " s, "
                + Numbers.format(P3_DIE_FRACTION * 100)
                + " % made to die");
        continue;
      }
      PipelineScenario.Spec s = spec(scenario);
      p.put(
          scenario,
          s.messages()
              + " messages, "
              + (s.llmKey() ? "LLM key" : "no LLM key")
              + (s.llmLatency() == null
                  ? ", no LLM latency"
                  : ", LLM latency " + s.llmLatency().toMillis() + " ms")
              + ", worker "
              + s.workerEnv());
    }
    Probes probes = params.probes();
    p.put(
        "idle baseline",
        probes.idleBaseline().isZero()
            ? "off"
            : probes.idleBaseline().toMillis() / 1000.0 + " s before each pipeline run's job");
    p.put(
        "steady state",
        "from the mark after "
            + probes.steadyAfterPercent()
            + " % of a run's chunks (at least 2) to the end of the job"
            + (probes.profile() ? ", JFR-profiled" : ""));
    p.put("project root", projectRoot.toString());
    return p;
  }

  /** {@code 20261125T175000Z}, for the default JSON file name. */
  public static String fileTimestamp(BenchReport report) {
    return FILE_TIME.format(report.startedAt());
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /**
   * The checked-out commit, with a mark when the working tree has changes; "unknown" without git.
   */
  static String gitCommit(Path root) {
    String head = git(root, "rev-parse", "--short=12", "HEAD");
    if (head.isEmpty()) {
      return "unknown";
    }
    String changes = git(root, "status", "--porcelain", "--untracked-files=no");
    return changes.isEmpty() ? head : head + " (with uncommitted changes)";
  }

  private static String git(Path root, String... args) {
    List<String> command = new ArrayList<>(List.of("git", "-C", root.toString()));
    command.addAll(List.of(args));
    try {
      Process git = new ProcessBuilder(command).redirectErrorStream(false).start();
      git.getOutputStream().close();
      byte[] out = git.getInputStream().readAllBytes();
      if (!git.waitFor(10, TimeUnit.SECONDS) || git.exitValue() != 0) {
        git.destroyForcibly();
        return "";
      }
      return new String(out, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
