package io.backfill.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.event.TimeoutDiagnosis;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.persistence.Jdbc;
import io.backfill.worker.support.Mail;
import io.backfill.worker.support.Runs;
import io.backfill.worker.support.ScriptedLlm;
import io.backfill.worker.support.Sql;
import io.backfill.worker.support.WorkerTraffic;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attempts of the extract lane on a real broker and database, with the LLM phase made slow, hung or
 * gated per tenant ({@link ScriptedLlm}). Test config: heartbeat every 1 s (stale after 3 s),
 * deadline 15 s, unprocessed-record limit 3 s.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class AttemptLifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long STALE_AFTER_MS = 3_000;

  @Inject DocumentStore documents;
  @Inject Jdbc jdbc;
  @Inject MeterRegistry metrics;

  private WorkerTraffic traffic;
  private TestProducer producer;
  private RecordTap runEvents;
  private RecordTap results;
  private String tenant;
  private JobId job;

  @BeforeEach
  void setUp() {
    traffic = WorkerTraffic.openWithResults();
    producer = traffic.producer();
    runEvents = traffic.runEvents();
    results = traffic.results();
    tenant = "tenant-" + UUID.randomUUID();
    job = JobId.derive(tenant, UUID.randomUUID().toString());
  }

  @AfterEach
  void tearDown() {
    // A test that failed early must not leave its attempt waiting into the next test.
    traffic.close();
  }

  @Test
  void anAttemptIsAnnouncedWithItsChunksCoordinatesBeforeItsWorkAndHeartbeatsUntilItCompletes() {
    CountDownLatch gate = traffic.gate();
    ScriptedLlm.script(tenant, new ScriptedLlm.Gate(gate));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(10), false);
    String run = chunk.runId().value();

    RecordMetadata sent = traffic.publish(chunk);

    // The LLM phase, the first that would call out, waits at the gate.
    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run) != null);
    await().atMost(WAIT).until(() -> Runs.eventsOf(runEvents, run, RunHeartbeat.class).size() >= 2);
    RunStarted started = Runs.eventsOf(runEvents, run, RunStarted.class).get(0);
    assertThat(started.lane()).isEqualTo(Lane.EXTRACT);
    assertThat(started.tenantId()).isEqualTo(tenant);
    assertThat(started.chunk())
        .isEqualTo(new ChunkCoordinates(Topics.BACKFILL_CHUNKS, sent.partition(), sent.offset()));
    assertThat(started.heartbeatIntervalMs()).isEqualTo(1_000);
    // The commit this process was built from, as /version reports it (VersionAndHealthTest ties
    // that to git HEAD).
    String buildSha = given().get("/version").then().extract().jsonPath().getString("buildSha");
    assertThat(started.buildSha()).isEqualTo(buildSha).isNotEqualTo("unknown");
    assertThat(started.workerId()).isNotBlank();
    assertThat(started.occurredAt()).isBefore(ScriptedLlm.callOf(run).at());
    RunHeartbeat beat = Runs.eventsOf(runEvents, run, RunHeartbeat.class).get(1);
    assertThat(beat.attemptId()).isEqualTo(started.attemptId());
    assertThat(beat.buildSha()).isEqualTo(buildSha);
    assertThat(beat.progress().phase()).isEqualTo("llm");
    assertThat(beat.progress().total()).isEqualTo(10);
    assertThat(documentsOf(chunk)).isZero();

    gate.countDown();

    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
    RunCompleted completed = Runs.eventsOf(runEvents, run, RunCompleted.class).get(0);
    assertThat(completed.attemptId()).isEqualTo(started.attemptId());
    assertThat(completed.messages()).isEqualTo(10);
    await().atMost(WAIT).until(() -> !Runs.resultsOf(results, run).isEmpty());
    ChunkExtracted extracted = Runs.resultsOf(results, run).get(0);
    assertThat(extracted.attemptId()).isEqualTo(started.attemptId());
    assertThat(extracted.messages()).isEqualTo(10);
    assertThat(extracted.llm().status()).isEqualTo(LlmStatus.SKIPPED_NO_KEY);
    // ChunkExtracted is acknowledged before RunCompleted is sent.
    assertThat(extracted.occurredAt()).isBeforeOrEqualTo(completed.occurredAt());
    assertThat(documentsOf(chunk)).isEqualTo(10);
    // Heartbeats stop with the attempt.
    int beats = Runs.eventsOf(runEvents, run, RunHeartbeat.class).size();
    await()
        .pollDelay(Duration.ofMillis(2_500))
        .atMost(WAIT)
        .until(() -> Runs.eventsOf(runEvents, run, RunHeartbeat.class).size() == beats);
  }

  @Test
  void aChunkTakingLongerThanTheUnprocessedRecordLimitKeepsTheWorkerHealthyAndNeverLooksStale() {
    ScriptedLlm.script(tenant, new ScriptedLlm.Delay(Duration.ofMillis(5_500)));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();

    traffic.publish(chunk);

    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
              return !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty();
            });
    given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    // The monitor's rule, applied to what it would read: no gap between the attempt's events
    // longer than staleAfter = 3 x heartbeatInterval.
    List<Long> times = new ArrayList<>();
    for (ConsumerRecord<String, String> record : Runs.recordsOf(runEvents, run)) {
      times.add(record.timestamp());
    }
    assertThat(times.get(times.size() - 1) - times.get(0)).isGreaterThan(5_000);
    for (int i = 1; i < times.size(); i++) {
      assertThat(times.get(i) - times.get(i - 1)).isLessThan(STALE_AFTER_MS);
    }
    assertThat(Runs.eventsOf(runEvents, run, RunHeartbeat.class)).hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void aChunkPastItsDeadlineFailsRetryableAndItsWorkIsCancelledWithoutWrites() {
    ScriptedLlm.script(tenant, new ScriptedLlm.Delay(Duration.ofHours(1)));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();
    double deadlinesBefore = counter("backfill_worker_attempts_total", "deadline");

    traffic.publish(chunk);

    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunFailed.class).isEmpty());
    RunStarted started = Runs.eventsOf(runEvents, run, RunStarted.class).get(0);
    RunFailed failed = Runs.eventsOf(runEvents, run, RunFailed.class).get(0);
    assertThat(failed.attemptId()).isEqualTo(started.attemptId());
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.error().type()).endsWith("DeadlineExceededException");
    assertThat(failed.error().stackTrace()).contains("DeadlineExceededException");
    assertThat(Duration.between(started.occurredAt(), failed.occurredAt()))
        .isBetween(Duration.ofSeconds(15), Duration.ofSeconds(20));
    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run).interrupted());
    assertThat(counter("backfill_worker_attempts_total", "deadline"))
        .isEqualTo(deadlinesBefore + 1);
    assertThat(Runs.eventsOf(runEvents, run, RunCompleted.class)).isEmpty();
    assertThat(documentsOf(chunk)).isZero();
  }

  @Test
  void aConstraintViolationMidChunkRollsBackFailsRetryableAndTheNextChunkIsExtracted() {
    Recipient poison = new Recipient("Poison", "poison@fabrikam.com");
    List<MailMessage> mail = new ArrayList<>(Mail.messages(5));
    MailMessage third = mail.get(2);
    mail.set(
        2,
        new MailMessage(
            third.id(),
            null,
            third.conversationId(),
            third.subject(),
            third.receivedAt(),
            null,
            third.from(),
            List.of(poison),
            List.of(),
            third.body(),
            false));
    Chunk failing = Chunk.of(tenant, job, 1, mail, false);
    Chunk next = Chunk.of(tenant, job, 2, Mail.messages(5), false);
    // Relationships are written after documents and entities: the violation is mid-chunk.
    execute(
        "ALTER TABLE relationships ADD CONSTRAINT no_poison"
            + " CHECK (target_key <> 'person:poison@fabrikam.com')");
    try {
      traffic.publish(failing);
      await()
          .atMost(WAIT)
          .until(
              () -> !Runs.eventsOf(runEvents, failing.runId().value(), RunFailed.class).isEmpty());
      traffic.publish(next);
      await()
          .atMost(WAIT)
          .until(
              () -> !Runs.eventsOf(runEvents, next.runId().value(), RunCompleted.class).isEmpty());
    } finally {
      execute("ALTER TABLE relationships DROP CONSTRAINT no_poison");
    }

    RunFailed failed = Runs.eventsOf(runEvents, failing.runId().value(), RunFailed.class).get(0);
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.error().stackTrace()).contains("no_poison");
    assertThat(documentsOf(failing)).isZero();
    assertThat(entityCount("person:poison@fabrikam.com")).isZero();
    assertThat(documentsOf(next)).isEqualTo(5);
  }

  @Test
  void aRunTimedOutForARunningAttemptCancelsItsWorkAndItWritesNothing() {
    CountDownLatch gate = traffic.gate();
    ScriptedLlm.script(tenant, new ScriptedLlm.Gate(gate));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();
    double timedOutBefore = counter("backfill_worker_attempts_total", "timed_out");
    traffic.publish(chunk);
    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run) != null);
    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunStarted.class).isEmpty());
    RunStarted started = Runs.eventsOf(runEvents, run, RunStarted.class).get(0);

    producer.send(Topics.RUN_CONTROL, run, EventJson.toJson(timedOut(chunk, started)));

    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run).interrupted());
    gate.countDown();
    assertThat(counter("backfill_worker_attempts_total", "timed_out"))
        .isEqualTo(timedOutBefore + 1);
    // Fenced: the attempt reports nothing more and no heartbeat follows.
    int events = Runs.eventsOf(runEvents, run).size();
    await()
        .pollDelay(Duration.ofMillis(2_500))
        .atMost(WAIT)
        .until(() -> Runs.eventsOf(runEvents, run).size() == events);
    assertThat(Runs.eventsOf(runEvents, run, RunCompleted.class)).isEmpty();
    assertThat(Runs.eventsOf(runEvents, run, RunFailed.class)).isEmpty();
    assertThat(documentsOf(chunk)).isZero();
  }

  @Test
  void aRetryDueReReadsTheChunkAtItsCoordinatesAndANewAttemptCompletesTheRunOnce() {
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();
    CountDownLatch gate = traffic.gate();
    ScriptedLlm.script(tenant, new ScriptedLlm.Gate(gate));
    traffic.publish(chunk);
    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run) != null);
    // RunStarted was acknowledged before the LLM phase; the tap may read it a moment later.
    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunStarted.class).isEmpty());
    RunStarted first = Runs.eventsOf(runEvents, run, RunStarted.class).get(0);
    // The first attempt is timed out by the ledger, which then asks for a retry.
    producer.send(Topics.RUN_CONTROL, run, EventJson.toJson(timedOut(chunk, first)));
    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run).interrupted());
    ScriptedLlm.script(tenant, new ScriptedLlm.Delay(Duration.ZERO));

    producer.send(
        Topics.RUN_CONTROL,
        run,
        EventJson.toJson(WorkerTraffic.retryDue(chunk, first, 2, "timed out")));

    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
    List<RunStarted> starts = Runs.eventsOf(runEvents, run, RunStarted.class);
    assertThat(starts).hasSize(2);
    RunStarted second = starts.get(1);
    assertThat(second.attemptId()).isNotEqualTo(first.attemptId());
    assertThat(second.chunk()).isEqualTo(first.chunk());
    assertThat(Runs.eventsOf(runEvents, run, RunCompleted.class).get(0).attemptId())
        .isEqualTo(second.attemptId());
    assertThat(documentsOf(chunk)).isEqualTo(5);

    // The same retry delivered again: the run is committed, so a third attempt only reports it.
    producer.send(
        Topics.RUN_CONTROL,
        run,
        EventJson.toJson(WorkerTraffic.retryDue(chunk, first, 2, "timed out")));
    await().atMost(WAIT).until(() -> Runs.eventsOf(runEvents, run, RunCompleted.class).size() == 2);
    RunStarted third = Runs.eventsOf(runEvents, run, RunStarted.class).get(2);
    assertThat(Runs.eventsOf(runEvents, run, RunCompleted.class).get(1).attemptId())
        .isEqualTo(third.attemptId());
    assertThat(Runs.resultsOf(results, run)).hasSize(1);
    assertThat(extractionCounts(chunk)).containsOnly(1);
  }

  private RunTimedOut timedOut(Chunk chunk, RunStarted started) {
    return new RunTimedOut(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenant,
        job,
        chunk.runId(),
        started.attemptId(),
        1,
        new TimeoutDiagnosis(
            TimeoutDiagnosis.RULE_STALE,
            Lane.EXTRACT,
            4_000L,
            5_000L,
            3_000L,
            null,
            started.workerId(),
            started.buildSha()));
  }

  @Transactional
  List<Integer> extractionCounts(Chunk chunk) {
    return documents.documentsOf(tenant, job).stream()
        .filter(row -> row.seq() == chunk.seq())
        .map(row -> row.extractionCount())
        .toList();
  }

  @Transactional
  void execute(String sql) {
    Sql.update(jdbc, sql);
  }

  @Transactional
  long documentsOf(Chunk chunk) {
    return documents.documentsOf(tenant, job).stream()
        .filter(row -> row.seq() == chunk.seq())
        .count();
  }

  @Transactional
  long entityCount(String key) {
    return Sql.number(
        jdbc, "SELECT count(*) FROM entities WHERE tenant_id = ? AND entity_key = ?", tenant, key);
  }

  private double counter(String name, String outcome) {
    return metrics.find(name).tag("outcome", outcome).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}
