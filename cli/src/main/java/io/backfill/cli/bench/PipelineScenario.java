package io.backfill.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.gateway.GatewayClient;
import io.backfill.cli.local.DemoTenant;
import io.backfill.cli.watch.JobWatcher;
import io.backfill.contracts.serde.EventJson;
import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import io.backfill.stack.StackConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

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
  // A run that moves on not at all for this long is stuck, whatever its size.
  private static final Duration STALLED = Duration.ofMinutes(5);

  /**
   * What a scenario runs.
   *
   * @param llmLatency every simulated LLM answer takes this long (null: no fault)
   * @param workerEnv settings of the extraction workers, as environment variables
   * @param measureProcesses read CPU time and peak RSS of every process over the interval
   */
  public record Spec(
      String scenario,
      int messages,
      int workers,
      boolean llmKey,
      Duration llmLatency,
      Map<String, String> workerEnv,
      boolean measureProcesses) {

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
  public static RunRecord run(Path projectRoot, Path workDir, Spec spec, int run, PrintWriter log) {
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
      return measure(stack, spec, run, load, stackSeconds, log);
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
      LocalStack stack, Spec spec, int run, double load, double stackSeconds, PrintWriter log) {
    DemoTenant tenant = DemoTenant.create(stack, spec.llmKey());
    GatewayClient client = tenant.client(stack);
    Usage before = spec.measureProcesses() ? Usage.read(stack) : null;

    long started = System.nanoTime();
    String jobId = submit(client, stack, spec.scenario() + "-" + run);
    Poll poll = awaitEnd(client, jobId, spec.timeout());
    double seconds = (System.nanoTime() - started) / 1e9;
    Usage after = spec.measureProcesses() ? Usage.read(stack) : null;

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
    List<ProcessUsage> processes =
        spec.measureProcesses() ? Usage.between(before, after, seconds) : List.of();
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

  private static Poll awaitEnd(GatewayClient client, String jobId, Duration timeout) {
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

  /** CPU seconds of every part at one moment: processes by name, PostgreSQL backends by pid. */
  private record Usage(
      Map<String, Long> pids, Map<String, Double> cpu, Map<Long, Double> backends) {

    static final String POSTGRES = "postgresql (backends)";

    static Usage read(LocalStack stack) {
      Map<String, Long> pids = new LinkedHashMap<>();
      pids.put("kafka", stack.kafka().pid());
      for (ServiceNode node : stack.processes()) {
        pids.put(node.name(), node.pid());
      }
      pids.put("backfill bench (this JVM)", ProcessHandle.current().pid());
      Map<String, Double> cpu = new LinkedHashMap<>();
      pids.forEach(
          (name, pid) -> {
            OptionalDouble seconds = ProcFs.cpuSeconds(pid);
            if (seconds.isPresent()) {
              cpu.put(name, seconds.getAsDouble());
            }
          });
      Map<Long, Double> backends = new HashMap<>();
      for (long pid : backendPids(stack)) {
        ProcFs.cpuSeconds(pid).ifPresent(s -> backends.put(pid, s));
      }
      return new Usage(pids, cpu, backends);
    }

    /** Per process: CPU over the interval and peak RSS now; PostgreSQL's backends summed. */
    static List<ProcessUsage> between(Usage before, Usage after, double seconds) {
      int cores = Runtime.getRuntime().availableProcessors();
      List<ProcessUsage> usage = new ArrayList<>();
      after.cpu.forEach(
          (name, end) -> {
            Double start = before.cpu.get(name);
            if (start == null
                || !java.util.Objects.equals(before.pids.get(name), after.pids.get(name))) {
              return;
            }
            double used = end - start;
            long rss = ProcFs.peakRssKib(after.pids.get(name)).orElse(-1);
            usage.add(new ProcessUsage(name, used, used / (seconds * cores), rss));
          });
      if (!after.backends.isEmpty()) {
        // A backend that ended within the interval is not counted: the figure is a floor.
        double used = 0;
        long rss = 0;
        for (Map.Entry<Long, Double> backend : after.backends.entrySet()) {
          used += backend.getValue() - before.backends.getOrDefault(backend.getKey(), 0.0);
          rss += ProcFs.peakRssKib(backend.getKey()).orElse(0);
        }
        usage.add(new ProcessUsage(POSTGRES, used, used / (seconds * cores), rss));
      }
      return usage;
    }

    private static List<Long> backendPids(LocalStack stack) {
      List<Long> pids = new ArrayList<>();
      String url = stack.postgres().jdbcUrl(stack.databaseName());
      // Only a PostgreSQL on this machine has its backends in this /proc.
      if (!url.contains("//127.0.0.1:") && !url.contains("//localhost:")) {
        return pids;
      }
      try (Connection db = stack.database();
          PreparedStatement query =
              db.prepareStatement(
                  "SELECT pid FROM pg_stat_activity"
                      + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
          ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          if (ProcFs.command(rows.getLong(1)).startsWith("postgres")) {
            pids.add(rows.getLong(1));
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot list the database's backends: " + e, e);
      }
      return pids;
    }
  }
}
