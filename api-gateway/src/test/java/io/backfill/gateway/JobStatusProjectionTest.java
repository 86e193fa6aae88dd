package io.backfill.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.contracts.event.JobRejected;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class JobStatusProjectionTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = "contoso";
  private static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2024-07-01T00:00:00Z");

  @Inject MeterRegistry metrics;

  private TestProducer producer;
  private String requestId;
  private JobId job;

  @BeforeAll
  static void newDatabase() {
    GatewayFixtures.forgetKeys();
  }

  @BeforeEach
  void setUp() {
    producer = new TestProducer(KafkaBroker.shared().bootstrapServers());
    requestId = UUID.randomUUID().toString();
    job = JobId.derive(TENANT, requestId);
  }

  @AfterEach
  void tearDown() {
    producer.close();
  }

  private void publish(JobEvent event) {
    producer.send(Topics.JOB_EVENTS, event.key(), EventJson.toJson(event));
  }

  private JobAccepted accepted() {
    return new JobAccepted(
        UUID.randomUUID(),
        1,
        Instant.now(),
        TENANT,
        job,
        requestId,
        "ana@contoso.com",
        FROM,
        TO,
        "inbox");
  }

  /** The job's status once it is served, or null while the gateway answers 404. */
  private JsonPath status() {
    var response = GatewayFixtures.as(TENANT).get("/api/v1/backfills/{jobId}", job.value());
    return response.statusCode() == 200 ? response.jsonPath() : null;
  }

  private JsonPath awaitStatus(String status) {
    return await()
        .atMost(WAIT)
        .until(this::status, s -> s != null && status.equals(s.getString("status")));
  }

  private double count(String type, String outcome) {
    var counter =
        metrics
            .find("backfill_gateway_job_events_total")
            .tags("type", type, "outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void acceptedJobIsShownPendingWithItsMailboxAndWindow() {
    JobAccepted accepted = accepted();

    publish(accepted);

    JsonPath view = awaitStatus("pending");
    assertThat(view.getString("jobId")).isEqualTo(job.value());
    assertThat(view.getString("tenantId")).isEqualTo(TENANT);
    assertThat(view.getString("requestId")).isEqualTo(requestId);
    assertThat(view.getString("mailbox")).isEqualTo("ana@contoso.com");
    assertThat(view.getString("folder")).isEqualTo("inbox");
    assertThat(Instant.parse(view.getString("window.from"))).isEqualTo(FROM);
    assertThat(Instant.parse(view.getString("window.to"))).isEqualTo(TO);
    assertThat(view.getString("lastEventId")).isEqualTo(accepted.eventId().toString());
    assertThat(view.getBoolean("progress.hasMore")).isTrue();
  }

  @Test
  void fetchProgressThenCompletionShowsTheJobCompletedWithItsCounts() {
    publish(accepted());
    publish(new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), TENANT, job, 3, 250, true));

    JsonPath running = awaitStatus("running");
    assertThat(running.getInt("progress.chunksPublished")).isEqualTo(3);
    assertThat(running.getLong("progress.messagesFetched")).isEqualTo(250);
    assertThat(running.getBoolean("progress.hasMore")).isTrue();

    publish(new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), TENANT, job, 4, 310, false));
    publish(new JobCompleted(UUID.randomUUID(), 1, Instant.now(), TENANT, job, 4, 310, 1));

    JsonPath completed = awaitStatus("completed");
    assertThat(completed.getInt("progress.chunks")).isEqualTo(4);
    assertThat(completed.getInt("progress.failedChunks")).isEqualTo(1);
    assertThat(completed.getInt("progress.chunksPublished")).isEqualTo(4);
    assertThat(completed.getLong("progress.messagesFetched")).isEqualTo(310);
    assertThat(completed.getBoolean("progress.hasMore")).isFalse();
    assertThat(completed.getString("reason")).contains("1 of 4 chunks failed");
  }

  @Test
  void aCancelThatReachesAJobAfterItCompletedLeavesItCompleted() {
    publish(accepted());
    publish(new JobCompleted(UUID.randomUUID(), 1, Instant.now(), TENANT, job, 2, 120, 0));
    awaitStatus("completed");
    double lateBefore = count("JobCancelled", "after_end");

    // The fetcher cancels a fetched job while its last chunk is finishing; the ledger completed it
    // first, so the cancel's JobCancelled comes after the JobCompleted.
    publish(new JobCancelled(UUID.randomUUID(), 1, Instant.now(), TENANT, job, "too late"));

    await().atMost(WAIT).until(() -> count("JobCancelled", "after_end") > lateBefore);
    JsonPath view = status();
    assertThat(view.getString("status")).isEqualTo("completed");
    assertThat(view.getInt("progress.chunks")).isEqualTo(2);
  }

  @Test
  void redeliveredOrRepeatedAcceptanceDoesNotResetACompletedJob() {
    JobAccepted accepted = accepted();
    publish(accepted);
    publish(new JobCompleted(UUID.randomUUID(), 1, Instant.now(), TENANT, job, 2, 120, 0));
    awaitStatus("completed");
    double duplicatesBefore = count("JobAccepted", "duplicate");

    // Kafka redelivers the same record: a no-op, counted as a duplicate.
    publish(accepted);
    await().atMost(WAIT).until(() -> count("JobAccepted", "duplicate") > duplicatesBefore);
    assertThat(status().getString("status")).isEqualTo("completed");

    // The fetcher announces the job again under a new event id (e.g. after a crash).
    JobAccepted again = accepted();
    publish(again);
    JsonPath view =
        await()
            .atMost(WAIT)
            .until(
                this::status, s -> again.eventId().toString().equals(s.getString("lastEventId")));
    assertThat(view.getString("status")).isEqualTo("completed");
    assertThat(view.getInt("progress.chunks")).isEqualTo(2);
  }

  @Test
  void rejectedRequestIsShownRejectedWithTheReason() {
    publish(
        new JobRejected(
            UUID.randomUUID(), 1, Instant.now(), TENANT, job, requestId, "unknown tenant contoso"));

    JsonPath view = awaitStatus("rejected");
    assertThat(view.getString("reason")).isEqualTo("unknown tenant contoso");
    assertThat(view.getString("requestId")).isEqualTo(requestId);
    assertThat(view.getString("mailbox")).isNull();
  }

  @Test
  void failedJobIsShownFailedWithTheErrorMessage() {
    publish(accepted());
    publish(
        new JobFailed(
            UUID.randomUUID(),
            1,
            Instant.now(),
            TENANT,
            job,
            ErrorInfo.coded("ErrorItemNotFound", "The mailbox was not found")));

    JsonPath view = awaitStatus("failed");
    assertThat(view.getString("reason")).isEqualTo("ErrorItemNotFound: The mailbox was not found");
    assertThat(view.getString("mailbox")).isEqualTo("ana@contoso.com");
  }

  @Test
  void unknownJobIsA404Problem() {
    GatewayFixtures.as(TENANT)
        .get("/api/v1/backfills/{jobId}", job.value())
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("status", org.hamcrest.Matchers.equalTo(404))
        .body("title", org.hamcrest.Matchers.equalTo("Backfill not found"))
        .body("type", org.hamcrest.Matchers.endsWith("/backfill-not-found"))
        .body(
            "detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString(job.value())));
  }

  @Test
  void malformedJobIdIsA400Problem() {
    GatewayFixtures.as(TENANT)
        .get("/api/v1/backfills/{jobId}", "not-a-job")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("status", org.hamcrest.Matchers.equalTo(400))
        .body("detail", org.hamcrest.Matchers.containsString("not-a-job"));
  }

  @Test
  void poisonRecordGoesToTheDeadLetterTopicWithItsReasonAndTheNextEventIsProjected() {
    try (RecordTap dlq =
        RecordTap.open(
            KafkaBroker.shared().bootstrapServers(), Topics.deadLetterOf(Topics.JOB_EVENTS))) {
      // Same key as the valid event: same partition, so it is consumed first.
      String poison = "{\"type\":\"JobExploded\",\"marker\":\"" + UUID.randomUUID() + "\"}";
      producer.send(Topics.JOB_EVENTS, job.value(), poison);
      publish(accepted());

      await()
          .atMost(WAIT)
          .until(() -> dlq.records().stream().anyMatch(r -> poison.equals(r.value())));
      var dead =
          dlq.records().stream().filter(r -> poison.equals(r.value())).findFirst().orElseThrow();
      Header reason = dead.headers().lastHeader("dead-letter-reason");
      assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("JobExploded");
      assertThat(dead.key()).isEqualTo(job.value());
      awaitStatus("pending");
    }
  }

  @Test
  void projectedEventsAreCountedByTypeAndOutcomeInPrometheusMetrics() {
    publish(accepted());
    awaitStatus("pending");

    String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();

    assertThat(scrape)
        .containsPattern(
            "backfill_gateway_job_events_total\\{[^}]*outcome=\"projected\"[^}]*type=\"JobAccepted\"");
  }
}
