package io.backfill.cli;

import io.backfill.cli.bench.Bench;
import io.backfill.cli.bench.Probes;
import io.backfill.stack.StackStartException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code backfill bench}: the benchmarks of issue 10, headless, each scenario run {@code --runs}
 * times on a fresh local stack; one table of medians with min, max and targets, also as JSON and
 * appended to docs/performance.md.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the benchmarks, each run on a fresh local stack (Kafka, PostgreSQL, outlook-simulator,"
          + " the four services as processes; logs in <work-dir>/logs/<scenario>-run<n>), one line"
          + " per run, then one table: scenario, figure, median, min, max, target, met/missed.",
      "P1: LLM latency 200 ms, 32 concurrent calls per worker, 2 workers, embeddings off;"
          + " msg/s and its ratio to 2 x 32 / 0.2 s = 320 msg/s (target >= 0.9).",
      "P1b: P1 with the worker sequential, on fewer messages; the speed-up P1 / P1b in msg/s"
          + " (target >= 50).",
      "P2: no LLM key, embeddings off, no latency; msg/s (target >= 2,000).",
      "Every pipeline scenario: per process CPU share, peak RSS, CPU ms per message and per chunk"
          + " at steady state (after 10 % of the chunks, at least 2, to the end of the job), raw and"
          + " net of the idle rate, and the idle rate itself (CPU ms/s).",
      "P2b: no LLM key, embeddings on; msg/s and embeddings/s.",
      "P3: the heartbeat-monitor with synthetic runs; ingest rate, tick p99 (< 1 s), detection"
          + " p50/p99 (p99 <= staleAfter + tick), false timeouts (= 0).",
      "A missed target is reported, not an error."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every run ran and completed (targets may be missed: see the table)",
      "2:bad input",
      "9:a run's job did not complete (reported as failed, not timed)",
      "10:a stack did not start (which part, why and its log are printed); the runs before it are"
          + " reported"
    })
final class BenchCommand implements Callable<Integer> {

  private static final List<String> SCENARIOS = List.of("P1", "P1b", "P2", "P2b", "P3");

  @Spec CommandSpec spec;

  @Option(
      names = "--runs",
      paramLabel = "N",
      defaultValue = "3",
      description = "Runs of each scenario; figures are medians. Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(
      names = "--only",
      paramLabel = "SCENARIO",
      split = ",",
      description = "Scenarios to run (P1,P1b,P2,P2b,P3). Default: all.")
  List<String> only = new ArrayList<>();

  @Option(
      names = "--p1-messages",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Messages of a P1 run. Default: ${DEFAULT-VALUE}.")
  int p1Messages;

  @Option(
      names = "--sequential-messages",
      paramLabel = "N",
      defaultValue = "300",
      description =
          "Messages of a P1b run (sequential: about 5 msg/s, so fewer than P1; the rates are"
              + " compared). Default: ${DEFAULT-VALUE}.")
  int sequentialMessages;

  @Option(
      names = "--p2-messages",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Messages of a P2 run. Default: ${DEFAULT-VALUE}.")
  int p2Messages;

  @Option(
      names = "--p2b-messages",
      paramLabel = "N",
      defaultValue = "5000",
      description = "Messages of a P2b run. Default: ${DEFAULT-VALUE}.")
  int p2bMessages;

  @Option(
      names = "--p3-synthetic-runs",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Synthetic runs heartbeating in P3. Default: ${DEFAULT-VALUE}.")
  int p3SyntheticRuns;

  @Option(
      names = "--p3-duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "5m",
      description = "How long a P3 run heartbeats. Default: ${DEFAULT-VALUE}.")
  Duration p3Duration;

  @Option(
      names = "--idle-baseline",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "60s",
      description =
          "Before each pipeline run's job, with the stack up and idle, measure each process's CPU"
              + " for this long (its fixed cost, in CPU ms per second; taken away from the"
              + " per-message figures in the net columns). 0 turns it off. Default:"
              + " ${DEFAULT-VALUE}.")
  Duration idleBaseline;

  @Option(
      names = "--steady-after",
      paramLabel = "PERCENT",
      defaultValue = "10",
      description =
          "The steady state (the per-message figures, the profile) starts once this percentage of"
              + " a run's chunks is extracted (1 to 90); a later start leaves more of the JIT"
              + " compilers' warm-up out. Default: ${DEFAULT-VALUE}.")
  int steadyAfterPercent;

  @Option(
      names = "--profile",
      description =
          "Record JFR (settings=profile, through jcmd) in each of the stack's JVMs over the steady"
              + " state and write a hot-methods summary per process to"
              + " <project-root>/docs/bench/<UTC time>-<scenario>-<process>.md; the .jfr files stay"
              + " under <work-dir>/jfr.")
  boolean profile;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description =
          "Where the JSON goes. Default: <project-root>/.backfill/bench/bench-<UTC time>.json.")
  Path json;

  @Option(
      names = "--no-append",
      description = "Do not append the report to <project-root>/docs/performance.md.")
  boolean noAppend;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "The stacks' broker data, app copies and logs. Default: <project-root>/.backfill/bench.")
  Path workDir;

  @Option(
      names = "--project-root",
      paramLabel = "DIR",
      description =
          "The checkout whose <module>/target/quarkus-app jars run. Default: $BACKFILL_PROJECT_ROOT"
              + " (set by ./backfill), else the current directory.")
  Path projectRoot;

  // Headless: the stack's per-part start-up lines would drown the one line per run.
  private static final java.util.logging.Logger STACK_LOG =
      java.util.logging.Logger.getLogger("io.backfill.stack");

  @Override
  public Integer call() {
    STACK_LOG.setLevel(java.util.logging.Level.WARNING);
    BackfillCommand root = (BackfillCommand) spec.root().userObject();
    Path checkout = StackOptions.root(spec, projectRoot, root.env());
    Bench.Params params = params(checkout);
    Path work = workDir != null ? workDir.toAbsolutePath() : checkout.resolve(".backfill/bench");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Bench bench = new Bench(checkout, work, params, out);
    Bench.Outcome outcome = bench.run();

    out.println();
    outcome.report().table().forEach(out::println);
    List<String> processes = outcome.report().processTable();
    if (!processes.isEmpty()) {
      out.println();
      processes.forEach(out::println);
    }
    outcome.report().notes().forEach(note -> out.println(note));
    Path jsonFile =
        json != null
            ? json
            : work.resolve("bench-" + Bench.fileTimestamp(outcome.report()) + ".json");
    try {
      outcome.report().writeJson(jsonFile);
      out.println("JSON: " + jsonFile);
      if (!noAppend) {
        Path performance = checkout.resolve("docs/performance.md");
        outcome.report().appendMarkdown(performance);
        out.println("Appended to " + performance);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the report: " + e.getMessage(), e);
    }
    out.flush();
    StackStartException stackFailed = outcome.stackFailed();
    if (stackFailed != null) {
      err.println("backfill bench: " + stackFailed.getMessage());
      return ExitCodes.STACK_FAILED;
    }
    return outcome.allCompleted() ? ExitCodes.OK : ExitCodes.JOB_NOT_COMPLETED;
  }

  private Bench.Params params(Path checkout) {
    if (runs < 1 || runs > 20) {
      throw invalid("--runs must be 1 to 20, was " + runs);
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (String name : only.isEmpty() ? SCENARIOS : only) {
      String match =
          SCENARIOS.stream()
              .filter(s -> s.equalsIgnoreCase(name.strip()))
              .findFirst()
              .orElseThrow(
                  () ->
                      invalid("--only: unknown scenario " + name + " (one of " + SCENARIOS + ")"));
      chosen.add(match);
    }
    for (int messages : new int[] {p1Messages, sequentialMessages, p2Messages, p2bMessages}) {
      if (messages < 1 || messages > 1_000_000) {
        throw invalid("message counts must be 1 to 1,000,000, was " + messages);
      }
    }
    if (idleBaseline.isNegative()) {
      throw invalid("--idle-baseline cannot be negative, was " + idleBaseline);
    }
    if (steadyAfterPercent < 1 || steadyAfterPercent > 90) {
      throw invalid("--steady-after must be 1 to 90 (percent), was " + steadyAfterPercent);
    }
    if (p3SyntheticRuns < 1 || p3Duration.isNegative() || p3Duration.isZero()) {
      throw invalid("--p3-synthetic-runs and --p3-duration must be positive");
    }
    // In scenario order whatever the order given: P1b's speed-up needs P1 measured first.
    List<String> ordered = SCENARIOS.stream().filter(chosen::contains).toList();
    return new Bench.Params(
        runs,
        ordered,
        p1Messages,
        sequentialMessages,
        p2Messages,
        p2bMessages,
        p3SyntheticRuns,
        p3Duration,
        new Probes(idleBaseline, steadyAfterPercent, profile, checkout.resolve("docs/bench")));
  }

  private ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
