package io.backfill.monitor.bench;

import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Not a test: the benchmark of issue 6, run only with {@code -Pbenchmark}. N runs (default 10,000)
 * heartbeat every 5 s into the real broker while the monitor runs in this JVM with the production
 * rules (tick 1 s, extract staleAfter = max(30 s, 3 × 5 s) = 30 s). After a warm-up, D runs
 * (default 100) stop heartbeating. Reported: heartbeat ingest rate, reaper sweep p99, detection
 * latency (heartbeat age at timeout) p99, false timeouts. Parameters: {@code -Dbench.runs}, {@code
 * -Dbench.seconds} (steady state, default 300), {@code -Dbench.dead}.
 */
@QuarkusTest
@TestProfile(HeartbeatBenchmark.ProductionRules.class)
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@Tag("benchmark")
class HeartbeatBenchmark {

  private static final Logger LOG = Logger.getLogger(HeartbeatBenchmark.class);
  private static final long INTERVAL_MS = 5_000;
  private static final long SLOT_MS = 100;

  /** The production defaults, not the test profile's shrunken intervals. */
  public static class ProductionRules implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new HashMap<>();
      config.put("backfill.monitor.reaper.tick", "1s");
      config.put("backfill.monitor.reaper.stats-interval", "15s");
      config.put("backfill.monitor.reaper.ingest-silence", "3s");
      config.put("backfill.monitor.reaper.lag-threshold-records", "1000");
      config.put("backfill.monitor.extract.stale-floor", "30s");
      config.put("backfill.monitor.extract.hard-deadline", "30m");
      config.put("backfill.monitor.extract.stall-after", "10m");
      config.put("backfill.monitor.retry.initial-delay", "10s");
      config.put("backfill.monitor.retry.max-delay", "10m");
      config.put("backfill.monitor.relay.interval", "200ms");
      config.put("quarkus.log.category.\"io.backfill\".level", "WARN");
      return config;
    }
  }

  @Inject MeterRegistry metrics;

  @Test
  void tenThousandRunsHeartbeatingEveryFiveSeconds() throws Exception {
    int runs = Integer.getInteger("bench.runs", 10_000);
    int deadCount = Integer.getInteger("bench.dead", 100);
    long steadySeconds = Long.getLong("bench.seconds", 300);
    long warmupSeconds = Long.getLong("bench.warmup", 90);
    // Runs start over the first 30 s (a fleet ramping up), not all in one 5 s pass.
    long rampSlots = 30_000 / SLOT_MS;
    long staleAfterMs = 30_000;

    JobId job = JobId.derive("bench", UUID.randomUUID().toString());
    RunId[] runIds = new RunId[runs];
    AttemptId[] attempts = new AttemptId[runs];
    long[] progress = new long[runs];
    boolean[] victim = new boolean[runs];
    AtomicBoolean killed = new AtomicBoolean();
    for (int i = 0; i < runs; i++) {
      runIds[i] = RunId.extract(job, i + 1);
      attempts[i] = AttemptId.random();
    }
    Set<String> deadRuns = new HashSet<>();
    for (int i = 0; i < deadCount; i++) {
      int chosen = (int) ((long) i * runs / deadCount);
      victim[chosen] = true;
      deadRuns.add(runIds[chosen].value());
    }

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    AtomicLong sent = new AtomicLong();
    AtomicLong sendFailures = new AtomicLong();
    int slots = (int) (INTERVAL_MS / SLOT_MS);
    AtomicLong tick = new AtomicLong();
    ScheduledExecutorService workers = Executors.newSingleThreadScheduledExecutor();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        RecordTap control =
            RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.RUN_CONTROL)) {
      // Every 100 ms one fiftieth of the runs heartbeats: each run every 5 s, spread evenly. Run i
      // starts at slot i × rampSlots / runs (RunStarted), then heartbeats on its slot.
      long[] startedAt = new long[runs];
      Arrays.fill(startedAt, -1);
      workers.scheduleAtFixedRate(
          () -> {
            long t = tick.getAndIncrement();
            int slot = (int) (t % slots);
            for (int i = 0; i < runs; i++) {
              if (startedAt[i] < 0 && (long) i * rampSlots / runs <= t) {
                startedAt[i] = t;
                send(
                    producer,
                    runIds[i],
                    EventJson.toJson(
                        RunStarted.of(
                            "bench",
                            runIds[i],
                            attempts[i],
                            "bench-worker",
                            "sha-bench",
                            INTERVAL_MS,
                            new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, i))),
                    sent,
                    sendFailures);
              }
            }
            for (int i = slot; i < runs; i += slots) {
              if (startedAt[i] < 0 || startedAt[i] == t || (victim[i] && killed.get())) {
                continue;
              }
              send(
                  producer,
                  runIds[i],
                  EventJson.toJson(
                      RunHeartbeat.of(
                          "bench",
                          runIds[i],
                          attempts[i],
                          "bench-worker",
                          "sha-bench",
                          new Progress(++progress[i], null, "llm"))),
                  sent,
                  sendFailures);
            }
          },
          0,
          SLOT_MS,
          TimeUnit.MILLISECONDS);

      await()
          .pollInterval(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(warmupSeconds + 120))
          .until(() -> tick.get() * SLOT_MS >= warmupSeconds * 1000);
      double appliedAtStart = counter("backfill_ledger_applied_events_total");
      double sweepsAtStart = counter("backfill_reaper_sweeps_total");
      double waitsAtStart = counter("backfill_reaper_waits_total");
      long sentAtStart = sent.get();
      long lagAtStart = (long) gauge("backfill_ledger_lag_records");
      var batchSummary = metrics.find("backfill_ledger_ingest_batch_records").summary();
      double batchCountAtStart = batchSummary.count();
      double batchTotalAtStart = batchSummary.totalAmount();
      long startNanos = System.nanoTime();
      // Fresh sweep percentiles for the steady state only.
      Timer sweeps = metrics.find("backfill_reaper_sweep_duration").timer();
      long maxLagSeen = 0;

      // The victims stop heartbeating a third into the steady state.
      long killAtMs = steadySeconds * 1000 / 3;
      while (System.nanoTime() - startNanos < TimeUnit.SECONDS.toNanos(steadySeconds)) {
        Thread.sleep(1_000); // the benchmark's own pacing, not test synchronisation
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        if (elapsedMs >= killAtMs) {
          killed.set(true);
        }
        maxLagSeen = Math.max(maxLagSeen, (long) gauge("backfill_ledger_lag_records"));
      }
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      double applied = counter("backfill_ledger_applied_events_total") - appliedAtStart;
      long produced = sent.get() - sentAtStart;
      double batchMean =
          (batchSummary.totalAmount() - batchTotalAtStart)
              / Math.max(1, batchSummary.count() - batchCountAtStart);

      List<RunTimedOut> timeouts = new ArrayList<>();
      Map<UUID, RunControlEvent> seen = new HashMap<>();
      control.records().stream()
          .map(r -> EventJson.fromJson(r.value(), RunControlEvent.class))
          .forEach(e -> seen.putIfAbsent(e.eventId(), e));
      seen.values().stream()
          .filter(RunTimedOut.class::isInstance)
          .map(RunTimedOut.class::cast)
          .forEach(timeouts::add);
      long falseTimeouts =
          timeouts.stream().filter(t -> !deadRuns.contains(t.runId().value())).count();
      long[] ages =
          timeouts.stream()
              .filter(t -> deadRuns.contains(t.runId().value()))
              .mapToLong(t -> t.diagnosis().heartbeatAgeMs())
              .sorted()
              .toArray();
      double sweepP99 = percentile(sweeps, 0.99);
      double sweepP50 = percentile(sweeps, 0.5);
      String report =
          String.format(
              "BENCHMARK runs=%d interval=%d ms staleAfter=%d ms tick=1 s steady=%.0f s"
                  + " (after %d s warm-up); produced %.0f/s, ingested %.0f heartbeats+events/s;"
                  + " mean batch %.0f records; ledger lag at start %d, max %d records;"
                  + " sweeps %d, reaper waits %d; sweep p50 %.1f ms"
                  + " p99 %.1f ms max %.1f ms; dead runs %d, detected %d, heartbeat age at"
                  + " timeout p50 %d ms p99 %d ms max %d ms (bound staleAfter + tick = %d ms);"
                  + " false timeouts %d; producer send failures %d",
              runs,
              INTERVAL_MS,
              staleAfterMs,
              seconds,
              warmupSeconds,
              produced / seconds,
              applied / seconds,
              batchMean,
              lagAtStart,
              maxLagSeen,
              (long) (counter("backfill_reaper_sweeps_total") - sweepsAtStart),
              (long) (counter("backfill_reaper_waits_total") - waitsAtStart),
              sweepP50,
              sweepP99,
              sweeps.max(TimeUnit.MILLISECONDS),
              deadRuns.size(),
              ages.length,
              ages.length == 0 ? -1 : ages[ages.length / 2],
              ages.length == 0 ? -1 : ages[(int) Math.ceil(ages.length * 0.99) - 1],
              ages.length == 0 ? -1 : ages[ages.length - 1],
              staleAfterMs + 1_000,
              falseTimeouts,
              sendFailures.get());
      LOG.warn(report);
      System.out.println(report);
      System.out.println("BENCHMARK detection ages " + Arrays.toString(ages));
    } finally {
      workers.shutdownNow();
    }
  }

  private static void send(
      KafkaProducer<String, String> producer,
      RunId run,
      String value,
      AtomicLong sent,
      AtomicLong failures) {
    producer.send(
        new ProducerRecord<>(Topics.RUN_EVENTS, run.value(), value),
        (metadata, e) -> {
          if (e != null) {
            failures.incrementAndGet();
          }
        });
    sent.incrementAndGet();
  }

  private static double percentile(Timer timer, double p) {
    for (ValueAtPercentile value : timer.takeSnapshot().percentileValues()) {
      if (value.percentile() == p) {
        return value.value(TimeUnit.MILLISECONDS);
      }
    }
    return -1;
  }

  private double counter(String name) {
    return metrics.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private double gauge(String name) {
    var gauge = metrics.find(name).gauge();
    return gauge == null ? 0 : gauge.value();
  }
}
