package io.backfill.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.gateway.GatewayClient;
import io.backfill.cli.local.DemoTenant;
import io.backfill.cli.watch.JobWatcher;
import io.backfill.contracts.serde.EventJson;
import io.backfill.stack.LocalStack;
import io.backfill.stack.StackConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One run of a pipeline scenario (P1, P1b, P2, P2b) on a fresh local stack: a tenant, one backfill
 * of the whole simulated mailbox, the gateway's status polled every 500 ms until the job ends. The
 * time is from the submit to the first status that says {@code completed}; the run counts only when
 * every message is stored as a document in the worker's schema.
 */
public final class PipelineScenario {

  /** The models the worker calls (primary, fallback): what the LLM latency slows down. */
  private static final String[] LLM_MODELS = {"gpt-4o-mini", "gpt-4.1-mini"};

  private static final Duration POLL = Duration.ofMillis(500);
  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  // A run that moves on not at all for this long is stuck, whatever its size.
  private static final Duration STALLED = Duration.ofMinutes(5);

  /**
   * What a scenario runs.
   *
   * @param llmLatency every simulated LLM answer takes this long (null: no fault)
   * @param workerEnv settings of the extraction workers, as environment variables
   */
  public record Spec(
      String scenario,
      int messages,
      int workers,
      boolean llmKey,
      Duration llmLatency,
      Map<String, String> workerEnv) {

    public Spec {
      workerEnv = Map.copyOf(workerEnv);
    }

    /** The longest a run may take: 10 min plus 20 ms per message (generous on two cores). */
    Duration timeout() {
      return Duration.ofMinutes(10).plusMillis(20L * messages);
    }
  }

  private PipelineScenario() {}

  /**
   * Runs {@code spec} once on a stack under {@code workDir}; a stack that does not start throws
   * {@link io.backfill.stack.StackStartException}, a job that does not complete is a failed run.
   */
  public static RunRecord run(
      Path projectRoot, Path workDir, Spec spec, Probes probes, int run, PrintWriter log) {
    double load = Machine.loadAverage();
    StackConfig.Builder builder =
        StackConfig.builder()
            .projectRoot(projectRoot)
            .workDir(workDir)
            .logDir(workDir.resolve("logs").resolve(spec.scenario() + "-run" + run))
            .messages(spec.messages())
            .workers(spec.workers())
            // Steady-state figures: the services run with both JIT compilers, not C1 only.
            .fullJit(true);
    if (spec.llmLatency() != null && !spec.llmLatency().isZero()) {
      builder.simulatorProperty("backfill.simulator.faults", latencyFaults(spec.llmLatency()));
    }
    spec.workerEnv().forEach((k, v) -> builder.moduleEnv(LocalStack.WORKER, k, v));
    long stackStarting = System.nanoTime();
    try (LocalStack stack = LocalStack.start(builder.build())) {
      double stackSeconds = (System.nanoTime() - stackStarting) / 1e9;
      Path jfrDir =
          probes.profile() ? workDir.resolve("jfr").resolve(spec.scenario() + "-run" + run) : null;
      return measure(stack, spec, probes, jfrDir, run, load, stackSeconds, log);
    }
  }

  /** The simulator's fault string: both models answer after {@code latency}. */
  static String latencyFaults(Duration latency) {
    List<String> faults = new ArrayList<>();
    for (String model : LLM_MODELS) {
      faults.add(model + ":latency;latency=" + latency.toMillis() + "ms");
    }
    return String.join(",", faults);
  }

  private static RunRecord measure(
      LocalStack stack,
      Spec spec,
      Probes probes,
      Path jfrDir,
      int run,
      double load,
      double stackSeconds,
      PrintWriter log) {
    DemoTenant tenant = DemoTenant.create(stack, spec.llmKey());
    GatewayClient client = tenant.client(stack);
    StackCpu idleStart = null;
    StackCpu idleEnd = null;
    if (!probes.idleBaseline().isZero()) {
      // The stack is up and has no job: what its parts use now is their fixed cost.
      idleStart = StackCpu.read(stack);
      long until = System.nanoTime() + probes.idleBaseline().toNanos();
      for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      idleEnd = StackCpu.read(stack);
    }
    StackCpu runStart = StackCpu.read(stack);

    long started = System.nanoTime();
    String jobId = submit(client, stack, spec.scenario() + "-" + run);
    SteadyState steady =
        new SteadyState(
            spec.messages(), probes.steadyAfterPercent(), stack, client, jobId, jfrDir, log);
    Poll poll = awaitEnd(client, jobId, spec.timeout(), steady::onStatus);
    double seconds = (System.nanoTime() - started) / 1e9;
    StackCpu end = StackCpu.read(stack);
    String loadAtEnd = Machine.loadAverages();
    Map<String, Path> recordings = steady.stopProfile();

    JsonNode status = poll.status;
    String state = status == null ? "unknown" : status.path("status").asText();
    long extracted =
        status == null ? 0 : status.path("progress").path("messagesExtracted").asLong();
    long documents = documents(stack, jobId);
    long embeddings = status == null ? 0 : status.path("counts").path("embeddings").asLong();
    JsonNode outcomes = status == null ? null : status.path("counts").path("llmOutcomes");
    String detail =
        String.format(
            Locale.ROOT,
            "job %s %s, %d/%d messages extracted, %d documents stored, llm %s, stack ready in %.0f s,"
                + " worker build %s",
            jobId,
            state,
            extracted,
            spec.messages(),
            documents,
            outcomes == null || outcomes.isEmpty() ? "-" : outcomes.toString(),
            stackSeconds,
            workerBuild(stack));
    boolean completed =
        poll.problem == null
            && "completed".equals(state)
            && documents == spec.messages()
            && extracted == spec.messages();
    if (!completed) {
      String why = poll.problem != null ? poll.problem + "; " : "";
      log.printf(Locale.ROOT, "%s run %d: FAILED: %s%s%n", spec.scenario(), run, why, detail);
      log.flush();
      return RunRecord.failed(spec.scenario(), run, why + detail, load);
    }
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("messages", (double) spec.messages());
    figures.put("seconds", seconds);
    figures.put("msg/s", spec.messages() / seconds);
    figures.put("gateway seconds", gatewaySeconds(status));
    figures.put("embeddings", (double) embeddings);
    figures.put("embeddings/s", embeddings / seconds);
    long steadyMessages = steady.start() == null ? 0 : extracted - steady.messagesAtStart();
    UsageMarks marks =
        new UsageMarks(idleStart, idleEnd, runStart, steady.start(), steadyMessages, end);
    figures.put("idle seconds", marks.idleSeconds());
    figures.put("steady after chunks", (double) steady.startAfterChunks());
    figures.put("steady messages", (double) steadyMessages);
    figures.put("steady seconds", marks.steadySeconds());
    figures.put("load at end", Machine.loadAverage());
    List<ProcessUsage> processes = marks.usage(Runtime.getRuntime().availableProcessors());
    if (!recordings.isEmpty()) {
      List<String> context =
          List.of(
              String.format(
                  Locale.ROOT,
                  "Scenario %s run %d, %,d messages; recorded over the steady state: from %s (after"
                      + " %d chunks) to the end of the job, %,d messages in %.1f s",
                  spec.scenario(),
                  run,
                  spec.messages(),
                  steady.startedAt(),
                  steady.startAfterChunks(),
                  steadyMessages,
                  marks.steadySeconds()),
              "Load average (1, 5, 15 min): "
                  + steady.loadAtStart()
                  + " at the start mark, "
                  + loadAtEnd
                  + " at the end; on a loaded machine the figures are the processes' share of it",
              detail);
      Map<String, ProcessUsage> byName = new LinkedHashMap<>();
      processes.forEach(u -> byName.put(u.process(), u));
      Profiler.summarise(
              recordings,
              probes.summaryDir(),
              FILE_TIME.format(steady.startedAt()),
              spec.scenario(),
              context,
              byName,
              log)
          .forEach(md -> log.println("profile: " + md));
    }
    log.printf(
        Locale.ROOT,
        "%s run %d: %,d messages in %.1f s, %.1f msg/s, %,d embeddings; completed (stack ready in"
            + " %.0f s, load %.2f)%n",
        spec.scenario(),
        run,
        spec.messages(),
        seconds,
        spec.messages() / seconds,
        embeddings,
        stackSeconds,
        load);
    log.flush();
    return new RunRecord(spec.scenario(), run, true, detail, figures, processes, load);
  }

  private static String workerBuild(LocalStack stack) {
    try {
      String sha = stack.worker(1).buildSha();
      return sha.length() > 12 ? sha.substring(0, 12) : sha;
    } catch (IllegalStateException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  private static String submit(GatewayClient client, LocalStack stack, String key) {
    var body =
        EventJson.mapper()
            .createObjectNode()
            .put("mailbox", stack.config().mailbox())
            .put("from", stack.windowFrom().toString())
            .put("to", stack.windowTo().toString());
    return client
        .post("api/v1/backfills", body, Map.of("Idempotency-Key", key))
        .body()
        .path("jobId")
        .asText();
  }

  private record Poll(JsonNode status, String problem) {}

  private static Poll awaitEnd(
      GatewayClient client, String jobId, Duration timeout, Consumer<JsonNode> onStatus) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastChange = System.nanoTime();
    String lastProgress = "";
    JsonNode status = null;
    int failures = 0;
    while (true) {
      try {
        status = client.get("api/v1/backfills/" + jobId);
        failures = 0;
      } catch (RuntimeException e) {
        // One slow answer on a loaded machine is not the end of the run; ten in a row are.
        if (++failures >= 10) {
          return new Poll(status, "status unreadable ten times in a row: " + e.getMessage());
        }
      }
      if (status != null && JobWatcher.ENDED.contains(status.path("status").asText())) {
        return new Poll(status, null);
      }
      onStatus.accept(status);
      long now = System.nanoTime();
      String progress = status == null ? "" : status.path("progress").toString();
      if (!progress.equals(lastProgress)) {
        lastProgress = progress;
        lastChange = now;
      }
      if (now - lastChange > STALLED.toNanos()) {
        return new Poll(status, "no progress for " + STALLED.toMinutes() + " min");
      }
      if (now > deadline) {
        return new Poll(status, "not ended within " + timeout.toMinutes() + " min");
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  private static double gatewaySeconds(JsonNode status) {
    try {
      Instant from = Instant.parse(status.path("createdAt").asText());
      Instant to = Instant.parse(status.path("updatedAt").asText());
      return Duration.between(from, to).toMillis() / 1000.0;
    } catch (DateTimeParseException e) {
      return Double.NaN;
    }
  }

  private static long documents(LocalStack stack, String jobId) {
    try (Connection db = stack.database();
        PreparedStatement count =
            db.prepareStatement(
                "SELECT count(*) FROM extraction.documents WHERE tenant_id = ? AND job_id = ?")) {
      count.setString(1, stack.config().tenantId());
      count.setObject(2, UUID.fromString(jobId));
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot count the job's documents: " + e.getMessage(), e);
    }
  }
}
