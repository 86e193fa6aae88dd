package io.backfill.cli.bench.monitor;

import io.backfill.stack.Directories;
import io.backfill.stack.KafkaBrokerProcess;
import io.backfill.stack.PostgresServer;
import io.backfill.stack.ServiceNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * P3 of the benchmark suite: one heartbeat-monitor process (the packaged jar) against a real Kafka
 * broker and a fresh PostgreSQL database, fed by a synthetic fleet of extract attempts (see {@link
 * HeartbeatFleet}). Phases: ramp (attempts start in steps while the ledger keeps up, at most 5
 * minutes), warm-up (two intervals, then until the ledger is within a second of records of what was
 * sent, at most 3 minutes), the steady window of {@code duration} in which the victims die, and a
 * drain of staleAfter + 2 ticks in which the live attempts go on heartbeating and late timeouts are
 * still read. Everything it started is stopped at the end, also on failure.
 */
public final class MonitorScaleBenchmark {

  static final String MONITOR = "heartbeat-monitor";
  private static final String STALE_FLOOR = "backfill.monitor.extract.stale-floor";
  private static final String TICK = "backfill.monitor.reaper.tick";
  // The monitor's own defaults (MonitorConfig): the production rules.
  private static final Duration DEFAULT_STALE_FLOOR = Duration.ofSeconds(30);
  private static final Duration DEFAULT_TICK = Duration.ofSeconds(1);
  // Full JIT (unlike the local stack's C1-only services): a steady state is what is measured.
  private static final List<String> MONITOR_JVM = List.of("-Xmx512m", "-XX:+UseSerialGC");
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration MAX_RAMP = Duration.ofMinutes(5);
  private static final Duration MAX_CATCH_UP = Duration.ofMinutes(3);
  private static final Duration P99_READ_EVERY = Duration.ofSeconds(10);
  // Micrometer's percentiles cover the last two minutes: read them once that is all steady state.
  private static final Duration PERCENTILE_WINDOW = Duration.ofMinutes(2);
  private static final long SEED = 7;
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private MonitorScaleBenchmark() {}

  public static MonitorScaleResult run(
      Path projectRoot, MonitorScaleParams params, PrintWriter log) {
    Path app = projectRoot.resolve(MONITOR).resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(app)) {
      throw new IllegalStateException(
          app
              + " does not exist: build it first (./mvnw -B -pl "
              + MONITOR
              + " -am package"
              + " -DskipTests)");
    }
    Path workDir = projectRoot.resolve(".backfill/bench/monitor-scale");
    try (MonitorScaleParts parts = new MonitorScaleParts()) {
      Directories.delete(workDir.resolve("kafka"));
      say(log, "starting a Kafka broker (logs in %s)", workDir.resolve("logs"));
      parts.kafka =
          new KafkaBrokerProcess(
              workDir.resolve("kafka"), workDir.resolve("logs/kafka.log"), READY_TIMEOUT);
      parts.kafka.start();
      parts.postgres = PostgresServer.locate(workDir.resolve("postgres"));
      parts.database = "backfill_bench_" + UUID.randomUUID().toString().substring(0, 8);
      parts.postgres.createDatabase(parts.database);
      Map<String, String> config = monitorConfig(parts, params);
      say(log, "starting %s (%s)", MONITOR, params.monitorProperties());
      parts.monitor =
          new ServiceNode(
              MONITOR,
              MONITOR,
              app,
              workDir.resolve("logs/" + MONITOR + ".log"),
              workDir.resolve("run/" + MONITOR),
              MONITOR_JVM,
              config,
              Map.of(),
              READY_TIMEOUT);
      parts.monitor.start();
      return play(parts, params, log);
    }
  }

  private static Map<String, String> monitorConfig(
      MonitorScaleParts parts, MonitorScaleParams params) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("quarkus.http.host", "127.0.0.1");
    p.put("quarkus.log.console.json.enabled", "false");
    p.put("kafka.bootstrap.servers", parts.kafka.bootstrapServers());
    p.put("quarkus.datasource.jdbc.url", parts.postgres.jdbcUrl(parts.database));
    p.put("quarkus.datasource.username", parts.postgres.username());
    if (!parts.postgres.password().isEmpty()) {
      p.put("quarkus.datasource.password", parts.postgres.password());
    }
    p.putAll(params.monitorProperties());
    return p;
  }

  private static MonitorScaleResult play(
      MonitorScaleParts parts, MonitorScaleParams params, PrintWriter log) {
    Duration interval = params.heartbeatInterval();
    Duration tick = setting(params, TICK, DEFAULT_TICK);
    Duration floor = setting(params, STALE_FLOOR, DEFAULT_STALE_FLOOR);
    Duration staleAfter = max(floor, interval.multipliedBy(3));
    // Victims die early enough that their last heartbeat is an interval before the window ends.
    Duration deathSpan =
        params.duration().compareTo(interval.multipliedBy(2)) > 0
            ? params.duration().minus(interval)
            : params.duration();
    String monitorUrl = parts.monitor.baseUrl();
    String servers = parts.kafka.bootstrapServers();
    try (HeartbeatFleet fleet =
            new HeartbeatFleet(servers, params.runs(), interval, params.dying(), deathSpan, SEED);
        TimeoutWatch watch = new TimeoutWatch(servers, fleet)) {
      say(
          log,
          "%,d attempts every %s, %d to die; staleAfter %s, tick %s",
          params.runs(),
          human(interval),
          fleet.victims(),
          human(staleAfter),
          human(tick));
      fleet.start();
      MonitorScaleProgress progress = new MonitorScaleProgress(log, fleet, watch, monitorUrl);

      // Ramp: the next step of starts once the last one was sent (each at its phase, so within
      // an interval) and the ledger applied all but a step or half a second of production, so
      // the window measures the steady state, not a start burst. After MAX_RAMP the rest start.
      long perSecond = Math.max(100, params.runs() * 1000L / interval.toMillis());
      int step = Math.max(100, params.runs() / 20);
      long rampLimit = System.nanoTime() + MAX_RAMP.toNanos();
      long rampStart = System.nanoTime();
      fleet.allowStarts(step);
      while (fleet.allowedStarts() < params.runs()) {
        progress.waitUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(1), "ramp");
        if (System.nanoTime() > rampLimit) {
          say(
              log,
              "the ledger did not keep up with the starts for %s; starting the rest",
              human(MAX_RAMP));
          fleet.allowStarts(params.runs());
        } else if (fleet.startedCount() >= fleet.allowedStarts()
            && caughtUp(monitorUrl, fleet, Math.max(step, perSecond / 2))) {
          fleet.allowStarts(fleet.allowedStarts() + step);
        }
      }
      progress.waitUntil(System.nanoTime() + interval.toNanos(), "ramp");
      say(
          log,
          "%,d attempts started in %d s",
          fleet.startedCount(),
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - rampStart));
      // Warm-up: two more intervals, then until the ledger is at most a second of records behind.
      progress.waitUntil(System.nanoTime() + interval.multipliedBy(2).toNanos(), "warm-up");
      long catchUpEnd = System.nanoTime() + MAX_CATCH_UP.toNanos();
      while (!caughtUp(monitorUrl, fleet, perSecond) && System.nanoTime() < catchUpEnd) {
        progress.waitUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(1), "catch-up");
      }
      if (!caughtUp(monitorUrl, fleet, perSecond)) {
        say(log, "the ledger had not caught up after %s; measuring anyway", human(MAX_CATCH_UP));
      }

      long windowStart = System.nanoTime();
      fleet.openWindow(windowStart);
      MonitorMetrics atStart = MonitorMetrics.scrape(monitorUrl);
      say(log, "steady window of %s begins", human(params.duration()));
      long windowEnd = windowStart + params.duration().toNanos();
      long p99From = windowStart + min(PERCENTILE_WINDOW, params.duration()).toNanos();
      double tickP99 = 0;
      long nextP99Read = p99From;
      while (System.nanoTime() < windowEnd) {
        progress.waitUntil(Math.min(windowEnd, nextP99Read), "steady");
        if (System.nanoTime() >= nextP99Read && System.nanoTime() < windowEnd) {
          tickP99 = Math.max(tickP99, sweepP99(MonitorMetrics.scrape(monitorUrl)));
          nextP99Read += P99_READ_EVERY.toNanos();
        }
      }
      MonitorMetrics atEnd = MonitorMetrics.scrape(monitorUrl);
      double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
      tickP99 = Math.max(tickP99, sweepP99(atEnd));
      double ingested =
          (atEnd.sum("backfill_ledger_applied_events_total")
                  - atStart.sum("backfill_ledger_applied_events_total"))
              / windowSeconds;

      // Drain: the live attempts go on; the last victims' timeouts still arrive.
      long drainEnd = windowEnd + staleAfter.plus(tick.multipliedBy(2)).toNanos();
      progress.waitUntil(drainEnd, "drain");
      fleet.check();
      watch.check();
      MonitorMetrics last = MonitorMetrics.scrape(monitorUrl);
      return result(params, fleet, watch, staleAfter, tick, ingested, tickP99, atStart, last, log);
    }
  }

  private static MonitorScaleResult result(
      MonitorScaleParams params,
      HeartbeatFleet fleet,
      TimeoutWatch watch,
      Duration staleAfter,
      Duration tick,
      double ingested,
      double tickP99,
      MonitorMetrics atStart,
      MonitorMetrics last,
      PrintWriter log) {
    List<TimeoutWatch.Timeout> timeouts = watch.timeouts();
    long[] latencies =
        timeouts.stream()
            .filter(t -> !t.isFalse())
            .mapToLong(TimeoutWatch.Timeout::latencyNanos)
            .sorted()
            .toArray();
    int falseTimeouts = (int) timeouts.stream().filter(TimeoutWatch.Timeout::isFalse).count();
    timeouts.stream()
        .map(TimeoutWatch.Timeout::staleAfterMs)
        .filter(ms -> ms != null && ms != staleAfter.toMillis())
        .findFirst()
        .ifPresent(
            ms ->
                say(
                    log,
                    "note: the monitor's diagnosis says staleAfter %d ms, expected %d ms",
                    ms,
                    staleAfter.toMillis()));
    MonitorScaleResult result =
        new MonitorScaleResult(
            ingested,
            tickP99,
            percentile(latencies, 0.5),
            percentile(latencies, 0.99),
            staleAfter.toMillis() / 1e3,
            tick.toMillis() / 1e3,
            fleet.died(),
            latencies.length,
            falseTimeouts);
    say(
        log,
        "done: ingested %.0f events/s; sweep p99 %.3f s (max %.3f s), %d sweeps, %d reaper waits;"
            + " %d died, %d detected, detection p50 %.2f s p99 %.2f s max %.2f s"
            + " (staleAfter + tick = %.1f s); false timeouts %d; send failures %d",
        ingested,
        tickP99,
        last.sum("backfill_reaper_sweep_duration_seconds_max"),
        (long)
            (last.sum("backfill_reaper_sweeps_total")
                - atStart.sum("backfill_reaper_sweeps_total")),
        (long)
            (last.sum("backfill_reaper_waits_total") - atStart.sum("backfill_reaper_waits_total")),
        result.died(),
        result.detected(),
        result.detectionP50Seconds(),
        result.detectionP99Seconds(),
        latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1] / 1e9,
        result.staleAfterSeconds() + result.tickSeconds(),
        falseTimeouts,
        fleet.sendFailures());
    return result;
  }

  // Nearest rank; NaN when there is nothing to rank.
  static double percentile(long[] sortedNanos, double p) {
    if (sortedNanos.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p * sortedNanos.length);
    return sortedNanos[Math.max(0, rank - 1)] / 1e9;
  }

  private static double sweepP99(MonitorMetrics metrics) {
    double value = metrics.sum("backfill_reaper_sweep_duration_seconds", "quantile=\"0.99\"");
    return Double.isNaN(value) ? 0 : value;
  }

  private static boolean caughtUp(String monitorUrl, HeartbeatFleet fleet, long slack) {
    long sent = fleet.sent();
    return MonitorMetrics.scrape(monitorUrl).sum("backfill_ledger_applied_events_total")
        >= sent - slack;
  }

  private static Duration setting(MonitorScaleParams params, String key, Duration defaultValue) {
    String value = params.monitorProperties().get(key);
    return value == null ? defaultValue : parseDuration(value);
  }

  /** A duration as Quarkus reads it: {@code PT1S}, {@code 1s}, {@code 200ms}, {@code 5} (s). */
  static Duration parseDuration(String text) {
    String value = text.strip().toLowerCase(Locale.ROOT);
    if (value.startsWith("p")) {
      return Duration.parse(value.toUpperCase(Locale.ROOT));
    }
    int unitAt = 0;
    while (unitAt < value.length() && Character.isDigit(value.charAt(unitAt))) {
      unitAt++;
    }
    long amount = Long.parseLong(value.substring(0, unitAt));
    return switch (value.substring(unitAt)) {
      case "ms" -> Duration.ofMillis(amount);
      case "", "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> throw new IllegalArgumentException("not a duration: " + text);
    };
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  static void say(PrintWriter log, String format, Object... args) {
    log.println(
        LocalTime.now().format(CLOCK)
            + " monitor-scale: "
            + String.format(Locale.ROOT, format, args));
    log.flush();
  }
}
