package io.backfill.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.JobResumed;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.persistence.Jdbc;
import io.backfill.worker.support.Mail;
import io.backfill.worker.support.Runs;
import io.backfill.worker.support.ScriptedLlm;
import io.backfill.worker.support.Sql;
import io.backfill.worker.support.WorkerTraffic;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pause, cancel and resume reach extraction: the worker reads JobPaused, JobCancelled and
 * JobResumed on job.events, keeps each job's stop state in its schema, and ends the job's chunks as
 * RunStopped without writing anything.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class JobCommandsTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Inject DocumentStore documents;
  @Inject Jdbc jdbc;

  private WorkerTraffic traffic;
  private TestProducer producer;
  private RecordTap runEvents;
  private String tenant;
  private JobId job;

  @BeforeEach
  void setUp() {
    traffic = WorkerTraffic.open();
    producer = traffic.producer();
    runEvents = traffic.runEvents();
    tenant = "commands-" + UUID.randomUUID();
    job = JobId.derive(tenant, UUID.randomUUID().toString());
  }

  @AfterEach
  void tearDown() {
    traffic.close();
  }

  @Test
  void aChunkOfAPausedJobEndsAsRunStoppedAfterItsRunStartedAndWritesNothing() {
    publishJobEvent(JobPaused.of(tenant, job, "paused by the tenant"));
    await().atMost(WAIT).until(() -> "paused".equals(storedState(tenant, job)));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();

    publish(chunk);

    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunStopped.class).isEmpty());
    List<RunEvent> events = Runs.eventsOf(runEvents, run);
    assertThat(events.get(0)).isInstanceOf(RunStarted.class);
    RunStopped stopped = Runs.eventsOf(runEvents, run, RunStopped.class).get(0);
    assertThat(stopped.reason()).isEqualTo(RunStopped.PAUSED);
    assertThat(stopped.attemptId()).isEqualTo(((RunStarted) events.get(0)).attemptId());
    // No work: the LLM phase was never reached, and nothing follows the RunStopped.
    assertThat(ScriptedLlm.callOf(run)).isNull();
    await()
        .pollDelay(Duration.ofSeconds(2))
        .atMost(WAIT)
        .until(() -> Runs.eventsOf(runEvents, run).size() == events.size());
    assertThat(Runs.eventsOf(runEvents, run, RunCompleted.class)).isEmpty();
    assertThat(Runs.eventsOf(runEvents, run, RunFailed.class)).isEmpty();
    assertThat(documentsOf(chunk)).isZero();
  }

  @Test
  void aRunningChunkStopsWhenItsJobIsCancelledAndWritesNothingAfterItsRunStopped() {
    CountDownLatch gate = traffic.gate();
    ScriptedLlm.script(tenant, new ScriptedLlm.Gate(gate));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();
    publish(chunk);
    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run) != null);

    publishJobEvent(JobCancelled.of(tenant, job, "cancelled by the tenant"));

    // Stopped at once: the work is interrupted, not left to run to its end.
    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run).interrupted());
    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunStopped.class).isEmpty());
    assertThat(Runs.eventsOf(runEvents, run, RunStopped.class).get(0).reason())
        .isEqualTo(RunStopped.CANCELLED);
    gate.countDown();
    int events = Runs.eventsOf(runEvents, run).size();
    await()
        .pollDelay(Duration.ofSeconds(2))
        .atMost(WAIT)
        .until(() -> Runs.eventsOf(runEvents, run).size() == events);
    assertThat(Runs.eventsOf(runEvents, run, RunCompleted.class)).isEmpty();
    assertThat(Runs.eventsOf(runEvents, run, RunFailed.class)).isEmpty();
    assertThat(documentsOf(chunk)).isZero();
  }

  @Test
  void aRetryDueOfAResumedJobExtractsTheChunkThatWasStoppedByItsPause() {
    publishJobEvent(JobPaused.of(tenant, job, null));
    await().atMost(WAIT).until(() -> "paused".equals(storedState(tenant, job)));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(4), false);
    String run = chunk.runId().value();
    publish(chunk);
    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunStopped.class).isEmpty());
    RunStarted parked = Runs.eventsOf(runEvents, run, RunStarted.class).get(0);

    publishJobEvent(JobResumed.of(tenant, job, null));
    await().atMost(WAIT).until(() -> "resumed".equals(storedState(tenant, job)));
    producer.send(
        Topics.RUN_CONTROL,
        run,
        EventJson.toJson(WorkerTraffic.retryDue(chunk, parked, 2, RetryDue.RESUMED)));

    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
    assertThat(Runs.eventsOf(runEvents, run, RunStarted.class)).hasSize(2);
    assertThat(documentsOf(chunk)).isEqualTo(4);
  }

  @Test
  void aStopOfAnotherTenantsJobWithTheSameIdDoesNotStopTheChunk() {
    String otherTenant = "other-" + UUID.randomUUID();
    publishJobEvent(JobPaused.of(otherTenant, job, null));
    await().atMost(WAIT).until(() -> "paused".equals(storedState(otherTenant, job)));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(3), false);
    String run = chunk.runId().value();

    publish(chunk);

    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
    assertThat(Runs.eventsOf(runEvents, run, RunStopped.class)).isEmpty();
    assertThat(documentsOf(chunk)).isEqualTo(3);
  }

  @Test
  void anUndecodableJobEventIsDeadLetteredAndOtherJobEventsAreIgnoredWithoutDeadLettering() {
    String servers = KafkaBroker.shared().bootstrapServers();
    String badKey = "bad-" + UUID.randomUUID();
    try (RecordTap dlq = RecordTap.open(servers, Topics.deadLetterOf(Topics.JOB_EVENTS))) {
      producer.send(Topics.JOB_EVENTS, badKey, "{not json");
      producer.send(Topics.JOB_EVENTS, badKey, null);
      publishJobEvent(new JobCompleted(UUID.randomUUID(), 1, Instant.now(), tenant, job, 0, 0, 0));
      // A pause after them is still applied: the consumer did not stop at the bad records.
      publishJobEvent(JobPaused.of(tenant, job, null));

      await().atMost(WAIT).until(() -> "paused".equals(storedState(tenant, job)));
      await()
          .atMost(WAIT)
          .until(() -> dlq.records().stream().filter(r -> badKey.equals(r.key())).count() == 2);
      assertThat(dlq.records()).noneMatch(r -> job.value().equals(r.key()));
    }
    given().get("/q/health/ready").then().statusCode(200);
  }

  private void publishJobEvent(JobEvent event) {
    producer.send(Topics.JOB_EVENTS, event.key(), EventJson.toJson(event));
  }

  private ChunkCoordinates publish(Chunk chunk) {
    var sent = traffic.publish(chunk);
    return new ChunkCoordinates(Topics.BACKFILL_CHUNKS, sent.partition(), sent.offset());
  }

  @Transactional
  String storedState(String tenantId, JobId jobId) {
    List<?> rows =
        Sql.column(
            jdbc,
            "SELECT state FROM job_stop_states WHERE tenant_id = ? AND job_id = ?",
            tenantId,
            jobId.value());
    return rows.isEmpty() ? null : (String) rows.get(0);
  }

  @Transactional
  long documentsOf(Chunk chunk) {
    return documents.documentsOf(tenant, job).stream()
        .filter(row -> row.seq() == chunk.seq())
        .count();
  }
}
