package io.backfill.gateway;

import static io.backfill.gateway.GatewayFixtures.accepted;
import static io.backfill.gateway.GatewayFixtures.as;
import static io.backfill.gateway.GatewayFixtures.extractStarted;
import static io.backfill.gateway.GatewayFixtures.extracted;
import static io.backfill.gateway.GatewayFixtures.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.Event;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunExhausted;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.TestProducer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events are untrusted: events that tenant B's producers put on the topics naming tenant A's job
 * are ignored and counted, and A's status stays exactly what A's own events made it.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ForgedEventsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String A = "tenant-alpha";
  private static final String B = "tenant-bravo";

  private static TestProducer producer;

  @Inject MeterRegistry metrics;
  @Inject AgroalDataSource dataSource;

  @BeforeAll
  static void open() {
    GatewayFixtures.forgetKeys();
    producer = GatewayFixtures.producer();
  }

  @AfterAll
  static void close() {
    producer.close();
  }

  private double ignored(String reason) {
    var counter =
        metrics.find("backfill_gateway_events_ignored_total").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The tenant's attempt and chunk rows under the job id. */
  private long rowsOf(String tenant, JobId job) throws Exception {
    try (var connection = dataSource.getConnection();
        var query =
            connection.prepareStatement(
                "SELECT (SELECT count(*) FROM gateway.run_attempts WHERE tenant_id = ? AND"
                    + " job_id = ?) + (SELECT count(*) FROM gateway.chunk_results WHERE"
                    + " tenant_id = ? AND job_id = ?)")) {
      UUID id = UUID.fromString(job.value());
      query.setString(1, tenant);
      query.setObject(2, id);
      query.setString(3, tenant);
      query.setObject(4, id);
      try (var rows = query.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  private static JsonPath statusOf(String tenant, JobId job) {
    var response = as(tenant).get("/api/v1/backfills/{jobId}", job.value());
    return response.statusCode() == 200 ? response.jsonPath() : null;
  }

  /** The parts of a status that events change (not its clock-dependent ages and ETA). */
  private static Map<String, Object> essentials(JsonPath status) {
    return Map.of(
        "status", status.getString("status"),
        "tenantId", status.getString("tenantId"),
        "mailbox", status.getString("mailbox"),
        "progress.chunksDone", status.getLong("progress.chunksDone"),
        "progress.messagesFetched", status.getLong("progress.messagesFetched"),
        "progress.messagesExtracted", status.getLong("progress.messagesExtracted"),
        "counts", status.getMap("counts"),
        "runs", status.getList("runs.collect { [it.runId, it.state, it.attempts.size()] }"),
        "timeouts", status.getList("timeouts"),
        "lastErrors", status.getList("lastErrors"));
  }

  @Test
  void forgedEventsOfAnotherTenantNamingAJobLeaveItsStatusUnchanged() {
    String requestId = "alpha-" + UUID.randomUUID();
    JobId job = JobId.derive(A, requestId);
    AttemptId attempt = AttemptId.random();
    publish(producer, accepted(A, requestId, "ana@alpha.example"));
    publish(
        producer, new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), A, job, 1, 10, true));
    publish(producer, extractStarted(A, job, 1, attempt, "worker-a", "sha-a"));
    publish(producer, extracted(A, job, 1, 10));
    JsonPath before =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOf(A, job),
                s ->
                    s != null
                        && "running".equals(s.getString("status"))
                        && s.getLong("progress.chunksDone") == 1
                        && s.getList("runs").size() == 1);
    double notDerived = ignored("job_id_not_derived");
    double mismatched = ignored("tenant_mismatch");

    List<Event> forged =
        List.of(
            // Claims A's job as B's own: its id is not the one derived from B and the request.
            new JobAccepted(
                UUID.randomUUID(),
                1,
                Instant.now(),
                B,
                job,
                requestId,
                "eve@bravo.example",
                GatewayFixtures.FROM,
                GatewayFixtures.TO,
                null),
            JobCancelled.of(B, job, "forged"),
            new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), B, job, 99, 9_999, false),
            RunFailed.of(
                B, RunId.extract(job, 1), attempt, "worker-b", false, ErrorInfo.coded("x", "y")),
            RunCompleted.of(B, RunId.extract(job, 1), attempt, "worker-b", null, 5),
            extractStarted(B, job, 2, AttemptId.random(), "worker-b", "sha-b"),
            extracted(B, job, 1, 1_000),
            extracted(B, job, 3, 1_000),
            new RunExhausted(
                UUID.randomUUID(),
                1,
                Instant.now(),
                B,
                job,
                RunId.fetch(job),
                Lane.FETCH,
                3,
                ErrorInfo.coded("forged", "by tenant B"),
                null),
            RunHeartbeat.of(
                B, RunId.extract(job, 1), attempt, "worker-b", "sha-b", Progress.starting()));
    forged.forEach(event -> publish(producer, event));

    await()
        .atMost(WAIT)
        .until(
            () ->
                ignored("job_id_not_derived") - notDerived == 1
                    && ignored("tenant_mismatch") - mismatched == forged.size() - 1);
    // The heartbeat flush and the last projections are done once every forged event is counted.
    JsonPath after = statusOf(A, job);
    assertThat(essentials(after)).isEqualTo(essentials(before));
    assertThat(after.prettify()).doesNotContain(B, "worker-b", "forged", "eve@bravo.example");
    assertThat(statusOf(B, job)).as("B does not get A's job either").isNull();
  }

  @Test
  void rowsAnotherTenantWroteFirstUnderAJobsIdsAreNotShownAndDoNotBlockTheJobsOwnEvents()
      throws Exception {
    String requestId = "alpha-" + UUID.randomUUID();
    JobId job = JobId.derive(A, requestId);
    AttemptId attempt = AttemptId.random();
    // Nothing knows the job yet, so these pass the check and are stored as B's rows, under the
    // very attempt, run and chunk that A's events name later.
    publish(producer, extractStarted(B, job, 7, attempt, "worker-b", "sha-b"));
    publish(producer, extracted(B, job, 7, 1_000));
    await().atMost(WAIT).until(() -> rowsOf(B, job) == 2);

    publish(producer, accepted(A, requestId, "ana@alpha.example"));
    publish(producer, extractStarted(A, job, 7, attempt, "worker-a", "sha-a"));
    publish(producer, extracted(A, job, 7, 10));

    JsonPath status =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOf(A, job),
                s ->
                    s != null
                        && s.getLong("progress.chunksDone") == 1
                        && !s.getList("runs").isEmpty());
    assertThat(status.getLong("progress.messagesExtracted")).isEqualTo(10);
    assertThat(status.getString("runs[0].attempts[0].workerId")).isEqualTo("worker-a");
    assertThat(status.getString("runs[0].attempts[0].attemptId")).isEqualTo(attempt.toString());
    assertThat(status.prettify()).doesNotContain(B, "worker-b");
    assertThat(rowsOf(B, job)).as("B's rows stay B's").isEqualTo(2);
  }

  @Test
  void aJobUnknownWhenItsFirstEventCameIsCheckedAgainstItsTenantOnceItIsKnown() throws Exception {
    String requestId = "alpha-" + UUID.randomUUID();
    JobId job = JobId.derive(A, requestId);
    // Nothing knows the job yet: the event passes, and "no owner" must not be remembered.
    publish(producer, extracted(A, job, 1, 10));
    await().atMost(WAIT).until(() -> rowsOf(A, job) == 1);
    publish(producer, accepted(A, requestId, "ana@alpha.example"));
    await()
        .atMost(WAIT)
        .until(() -> statusOf(A, job), s -> s != null && s.getLong("progress.chunksDone") == 1);
    double mismatched = ignored("tenant_mismatch");

    publish(producer, extracted(B, job, 2, 1_000));

    await().atMost(WAIT).until(() -> ignored("tenant_mismatch") - mismatched == 1);
    assertThat(rowsOf(B, job)).as("B's chunk is not stored under A's job").isZero();
    assertThat(statusOf(A, job).getLong("progress.messagesExtracted")).isEqualTo(10);
  }
}
