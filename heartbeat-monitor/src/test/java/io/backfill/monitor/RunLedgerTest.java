package io.backfill.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.persistence.AttemptRow;
import io.backfill.monitor.persistence.AttemptStore;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RunLedgerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ChunkCoordinates CHUNK = new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, 5);

  @Inject AttemptStore store;
  @Inject MeterRegistry metrics;
  @Inject DataSource dataSource;

  private TestProducer producer;
  private RunId run;

  @BeforeEach
  void setUp() {
    producer = new TestProducer(KafkaBroker.shared().bootstrapServers());
    run = RunId.extract(JobId.derive("contoso", UUID.randomUUID().toString()), 1);
  }

  @AfterEach
  void tearDown() {
    producer.close();
  }

  private void publish(io.backfill.contracts.event.RunEvent event) {
    producer.send(Topics.RUN_EVENTS, event.key(), EventJson.toJson(event));
  }

  private RunStarted started(AttemptId attempt) {
    return RunStarted.of("contoso", run, attempt, "worker-1", "sha-1", 5_000, CHUNK);
  }

  @Transactional
  List<AttemptRow> attempts() {
    return store.attemptsOf(run);
  }

  @Test
  void runStartedBecomesARunningAttemptAndARedeliveryChangesNothing() {
    RunStarted started = started(AttemptId.random());

    publish(started);
    publish(started);
    publish(
        RunHeartbeat.of(
            "contoso",
            run,
            started.attemptId(),
            "worker-1",
            "sha-1",
            new Progress(7, 100L, "llm")));

    await()
        .atMost(WAIT)
        .until(() -> attempts().size() == 1 && attempts().get(0).progressDone() == 7);
    AttemptRow attempt = attempts().get(0);
    assertThat(attempt.state()).isEqualTo("running");
    assertThat(attempt.number()).isEqualTo(1);
    assertThat(attempt.heartbeatIntervalMs()).isEqualTo(5_000);
  }

  @Test
  void newerStartSupersedesTheRunningAttemptAndFencesItsLateCompletion() {
    AttemptId first = AttemptId.random();
    AttemptId second = AttemptId.random();
    double fencedBefore = fencedCount();

    publish(started(first));
    publish(started(second));
    publish(RunCompleted.of("contoso", run, first, "worker-1", null, 100));

    await().atMost(WAIT).until(() -> fencedCount() > fencedBefore);
    assertThat(attempts())
        .extracting(AttemptRow::attemptId, AttemptRow::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(first.value(), "superseded"),
            org.assertj.core.groups.Tuple.tuple(second.value(), "running"));
  }

  @Test
  void poisonRecordGoesToTheDeadLetterTopicWithItsReasonAndTheNextEventIsApplied() {
    try (RecordTap dlq =
        RecordTap.open(KafkaBroker.shared().bootstrapServers(), "run.events.dlq")) {
      String poisonKey = "poison-" + UUID.randomUUID();
      producer.send(Topics.RUN_EVENTS, poisonKey, "{\"type\":\"RunExploded\"}");
      publish(started(AttemptId.random()));

      await()
          .atMost(WAIT)
          .until(() -> dlq.records().stream().anyMatch(r -> poisonKey.equals(r.key())));
      var dead =
          dlq.records().stream().filter(r -> poisonKey.equals(r.key())).findFirst().orElseThrow();
      Header reason = dead.headers().lastHeader("dead-letter-reason");
      assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("RunExploded");
      await().atMost(WAIT).until(() -> attempts().size() == 1);
    }
  }

  @Test
  void aBacklogOfHeartbeatsIsAppliedInBatchesInOrderPerRunWithDedupAndFencing() throws Exception {
    JobId job = JobId.derive("contoso", UUID.randomUUID().toString());
    List<RunId> runs = new ArrayList<>();
    List<AttemptId> attempts = new ArrayList<>();
    for (int seq = 1; seq <= 40; seq++) {
      RunId chunkRun = RunId.extract(job, seq);
      AttemptId attempt = AttemptId.random();
      runs.add(chunkRun);
      attempts.add(attempt);
      publish(RunStarted.of("contoso", chunkRun, attempt, "worker-1", "sha-1", 5_000, CHUNK));
    }
    await().atMost(WAIT).until(() -> runningAttempts(runs) == runs.size());
    double batchesBefore = batchCount();
    double fencedBefore = fencedCount();
    double duplicatesBefore = counter("backfill_ledger_duplicate_events_total");
    int records = 0;

    // Ingest is held up while 2,000+ records pile up in the broker, as after a slow spell.
    try (TableLock stuck = new TableLock(dataSource, "consumed_events")) {
      for (int beat = 1; beat <= 50; beat++) {
        for (int i = 0; i < runs.size(); i++) {
          RunHeartbeat heartbeat =
              RunHeartbeat.of(
                  "contoso",
                  runs.get(i),
                  attempts.get(i),
                  "worker-1",
                  "sha-1",
                  new Progress(beat, 50L, "llm"));
          publish(heartbeat);
          records++;
          if (beat == 25 && i == 1) {
            publish(heartbeat); // a redelivery: the same eventId
            records++;
          }
        }
      }
      // Run 0 completes; its attempt's heartbeats read after that are fenced, in order.
      publish(RunCompleted.of("contoso", runs.get(0), attempts.get(0), "worker-1", null, 50));
      records++;
      for (int late = 0; late < 5; late++) {
        publish(
            RunHeartbeat.of(
                "contoso",
                runs.get(0),
                attempts.get(0),
                "worker-1",
                "sha-1",
                new Progress(99, 50L, "late")));
        records++;
      }
    }

    await()
        .atMost(WAIT)
        .until(
            () ->
                fencedCount() >= fencedBefore + 5
                    && attemptsAt(runs.subList(1, runs.size()), 50) == runs.size() - 1);
    assertThat(runState(runs.get(0))).isEqualTo("completed");
    assertThat(progressOf(attempts.get(0))).isEqualTo(50);
    assertThat(fencedCount()).isEqualTo(fencedBefore + 5);
    assertThat(counter("backfill_ledger_duplicate_events_total"))
        .isGreaterThanOrEqualTo(duplicatesBefore + 1);
    // Batches, not records: far fewer transactions than records.
    double batches = batchCount() - batchesBefore;
    assertThat(batches).isPositive().isLessThan(records / 10.0);
  }

  @Test
  void transientDatabaseFailureIsRetriedAndTheEventAppliedNotDeadLettered() throws Exception {
    double retriesBefore = counter("backfill_ledger_ingest_retries_total");
    RunStarted started = started(AttemptId.random());
    try (RecordTap dlq =
        RecordTap.open(KafkaBroker.shared().bootstrapServers(), "run.events.dlq")) {
      try (TableLock stuck = new TableLock(dataSource, "consumed_events")) {
        publish(started);
        // Ingest waits on the lock; its connection is then killed, as a database restart would.
        await().atMost(WAIT).until(() -> terminateIngestWaitingOnLock() > 0);
      }
      await().atMost(WAIT).until(() -> attempts().size() == 1);
      assertThat(counter("backfill_ledger_ingest_retries_total"))
          .isGreaterThanOrEqualTo(retriesBefore + 1);
      assertThat(dlq.records()).noneMatch(r -> run.value().equals(r.key()));
    }
  }

  /** Terminates the sessions waiting for a lock on consumed_events; returns how many. */
  private long terminateIngestWaitingOnLock() {
    return sql()
        .number(
            """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND wait_event_type = 'Lock'
              AND query LIKE '%consumed_events%'
            """);
  }

  private long runningAttempts(List<RunId> runs) {
    return sql()
        .number(
            "SELECT count(*) FROM attempts WHERE state = 'running' AND run_id = ANY (?)",
            (Object) runIds(runs));
  }

  private long attemptsAt(List<RunId> runs, long done) {
    return sql()
        .number(
            "SELECT count(*) FROM attempts WHERE progress_done = ? AND run_id = ANY (?)",
            done,
            runIds(runs));
  }

  private static String[] runIds(List<RunId> runs) {
    return runs.stream().map(RunId::value).toArray(String[]::new);
  }

  private String runState(RunId runId) {
    return sql().text("SELECT state FROM runs WHERE run_id = ?", runId.value());
  }

  private long progressOf(AttemptId attempt) {
    return sql().number("SELECT progress_done FROM attempts WHERE attempt_id = ?", attempt.value());
  }

  private LedgerSql sql() {
    return new LedgerSql(dataSource);
  }

  private double batchCount() {
    var summary = metrics.find("backfill_ledger_ingest_batch_records").summary();
    return summary == null ? 0 : summary.count();
  }

  private double counter(String name) {
    return metrics.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private double fencedCount() {
    return metrics.find("backfill_ledger_fenced_events_total").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}
