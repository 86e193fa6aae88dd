package io.backfill.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.TopicAdmin;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.Postgres;
import io.backfill.testkit.ServiceProcess;
import io.backfill.testkit.TestDatabase;
import io.backfill.testkit.TestProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The monitor as deployed: its runnable jar as separate processes, against the shared broker and a
 * database of its own, with the test profile's short intervals (staleAfter 1 s, tick 200 ms). Each
 * test uses its own consumer group, so it reads only what it produced.
 */
class MonitorProcessesIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private TestDatabase database;
  private TestProducer producer;
  private ControlTap control;
  private final List<ServiceProcess> monitors = new ArrayList<>();
  private JobId job;

  @BeforeEach
  void setUp() {
    database = Postgres.instance().createDatabase("bfit");
    producer = new TestProducer(KafkaBroker.shared().bootstrapServers());
    TopicAdmin.ensure(
        KafkaBroker.shared().bootstrapServers(), (short) 1, Topics.all(), Duration.ofSeconds(30));
    control = ControlTap.open();
    job = JobId.derive("contoso", UUID.randomUUID().toString());
  }

  @AfterEach
  void tearDown() {
    monitors.forEach(ServiceProcess::close);
    control.close();
    producer.close();
    database.drop();
  }

  private ServiceProcess monitor(String group) {
    Map<String, String> config = new HashMap<>();
    config.put("kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers());
    config.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
    config.put("quarkus.datasource.username", database.username());
    config.put("quarkus.datasource.password", database.password());
    config.put("mp.messaging.incoming.run-events.group.id", group);
    config.put("mp.messaging.incoming.job-events.group.id", group + "-jobs");
    config.put("backfill.monitor.reaper.tick", "200ms");
    config.put("backfill.monitor.reaper.ingest-silence", "400ms");
    config.put("backfill.monitor.reaper.lag-threshold-records", "200");
    config.put("backfill.monitor.extract.stale-floor", "1s");
    config.put("backfill.monitor.retry.initial-delay", "400ms");
    config.put("backfill.monitor.retry.max-delay", "1500ms");
    config.put("backfill.monitor.relay.interval", "100ms");
    ServiceProcess monitor = ServiceProcess.start("heartbeat-monitor", config);
    monitors.add(monitor);
    return monitor;
  }

  @Test
  void monitorStoppedForTwiceStaleAfterWhileWorkersHeartbeatTimesNothingOutOnRestart() {
    String group = "hbm-restart-" + UUID.randomUUID();
    ServiceProcess monitor = monitor(group);
    List<RunId> live = List.of(RunId.extract(job, 1), RunId.extract(job, 2), RunId.extract(job, 3));
    List<AttemptId> attempts = List.of(AttemptId.random(), AttemptId.random(), AttemptId.random());
    RunId dead = RunId.extract(job, 4);
    for (int i = 0; i < live.size(); i++) {
      publish(
          RunStarted.of("contoso", live.get(i), attempts.get(i), "w-1", "sha-1", 300, chunk(i)));
    }
    AtomicLong done = new AtomicLong();
    ScheduledExecutorService workers = Executors.newSingleThreadScheduledExecutor();
    try {
      workers.scheduleAtFixedRate(
          () -> {
            long progress = done.incrementAndGet();
            for (int i = 0; i < live.size(); i++) {
              publish(
                  RunHeartbeat.of(
                      "contoso",
                      live.get(i),
                      attempts.get(i),
                      "w-1",
                      "sha-1",
                      new Progress(progress, 10_000L, "llm")));
            }
          },
          0,
          300,
          TimeUnit.MILLISECONDS);
      // A run that really is dead, so the restarted monitor demonstrably judges.
      publish(RunStarted.of("contoso", dead, AttemptId.random(), "w-2", "sha-1", 300, chunk(9)));
      await().atMost(WAIT).until(() -> control.effects(dead, RunTimedOut.class).size() == 1);

      // The monitor stops for 2.5 s (2.5 × staleAfter); the workers go on heartbeating.
      monitor.stop();
      long stoppedAt = done.get();
      await().atMost(WAIT).until(() -> done.get() >= stoppedAt + 9);
      monitor.start();

      // Ten more staleAfters after the restart: the live runs are never timed out.
      long restartedAt = done.get();
      await()
          .during(Duration.ofSeconds(10))
          .atMost(WAIT)
          .until(() -> live.stream().allMatch(r -> control.effects(r).isEmpty()));
      assertThat(done.get()).isGreaterThan(restartedAt + 20);
    } finally {
      workers.shutdownNow();
    }
    assertThat(control.effects(dead, RunTimedOut.class)).hasSize(1);
  }

  @Test
  void twoMonitorProcessesOnOneLedgerTimeOutEachDeadAttemptOnceAndRetryItOnce() {
    String group = "hbm-pair-" + UUID.randomUUID();
    monitor(group);
    monitor(group);
    List<RunId> runs = new ArrayList<>();
    for (int seq = 1; seq <= 12; seq++) {
      RunId run = RunId.extract(job, seq);
      runs.add(run);
      publish(RunStarted.of("contoso", run, AttemptId.random(), "w-1", "sha-1", 100, chunk(seq)));
    }

    await()
        .atMost(WAIT)
        .until(() -> runs.stream().allMatch(r -> control.effects(r, RetryDue.class).size() == 1));
    // Both reapers keep sweeping the same ledger: nothing is doubled, now or later.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(WAIT)
        .until(
            () ->
                runs.stream()
                    .allMatch(
                        r ->
                            control.effects(r, RunTimedOut.class).size() == 1
                                && control.effects(r, RetryDue.class).size() == 1));
  }

  private void publish(RunEvent event) {
    producer.send(Topics.RUN_EVENTS, event.key(), EventJson.toJson(event));
  }

  private static ChunkCoordinates chunk(long offset) {
    return new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, offset);
  }
}
