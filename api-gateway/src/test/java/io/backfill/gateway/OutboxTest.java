package io.backfill.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.CancelJob;
import io.backfill.contracts.event.PauseJob;
import io.backfill.contracts.event.ResumeJob;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.messaging.OutboxRelay;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Submissions and commands survive a gateway that stops between storing and publishing them: this
 * instance's relay is off, as if it had crashed right after the commit, and the test then plays
 * other instances whose relay is on by calling {@link OutboxRelay#publishPending()}.
 */
@QuarkusTest
@TestProfile(OutboxTest.RelayOff.class)
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OutboxTest {

  /** No relay of its own: stored rows wait for another instance. */
  public static class RelayOff implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "backfill.gateway.outbox.relay-enabled", "false",
          "backfill.gateway.outbox.poll-interval", "200ms");
    }
  }

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration QUIET = Duration.ofSeconds(3);
  private static final String TENANT = "northwind";

  private static RecordTap requests;
  private static RecordTap commands;

  @Inject OutboxRelay relay;
  @Inject MeterRegistry metrics;
  @Inject AgroalDataSource dataSource;

  @BeforeAll
  static void openTaps() {
    GatewayFixtures.forgetKeys();
    requests = RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.BACKFILL_REQUESTS);
    commands = RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.BACKFILL_COMMANDS);
  }

  @AfterAll
  static void closeTaps() {
    requests.close();
    commands.close();
  }

  private static Response submit(String key, String mailbox) {
    return GatewayFixtures.as(TENANT)
        .contentType("application/json")
        .header("Idempotency-Key", key)
        .body(
            "{\"mailbox\":\""
                + mailbox
                + "\",\"from\":\"2024-01-01T00:00:00Z\",\"to\":\"2024-02-01T00:00:00Z\"}")
        .post("/api/v1/backfills");
  }

  private static List<BackfillRequested> published(String requestId) {
    return requests.records().stream()
        .map(r -> EventJson.fromJson(r.value(), BackfillRequested.class))
        .filter(r -> r.requestId().equals(requestId))
        .toList();
  }

  private static List<BackfillCommand> commandsFor(JobId job) {
    return commands.records().stream()
        .filter(r -> r.key().equals(job.value()))
        .map(r -> EventJson.fromJson(r.value(), BackfillCommand.class))
        .toList();
  }

  private double gauge(String name) {
    var gauge = metrics.find(name).gauge();
    return gauge == null ? -1 : gauge.value();
  }

  private double replayed() {
    var counter =
        metrics.find("backfill_gateway_requests_total").tags("outcome", "replayed").counter();
    return counter == null ? 0 : counter.count();
  }

  /** Two instances whose relay is on, running at once; how many rows they published in all. */
  private int twoRelaysPublish() {
    var first = CompletableFuture.supplyAsync(relay::publishPending);
    var second = CompletableFuture.supplyAsync(relay::publishPending);
    return first.join() + second.join();
  }

  @Test
  void submissionStoredByACrashedGatewayIsReplayedOnRetryAndPublishedOnceByAnotherInstance() {
    String key = UUID.randomUUID().toString();
    JobId job = JobId.derive(TENANT, key);

    Response accepted = submit(key, "ana@northwind.example");
    accepted.then().statusCode(202);
    assertThat(accepted.jsonPath().getString("jobId")).isEqualTo(job.value());

    // No relay runs here: nothing reaches the topic, the row waits and the gauges show it.
    await().atMost(WAIT).until(() -> gauge("backfill_gateway_outbox_pending") >= 1);
    await().during(QUIET).atMost(WAIT).until(() -> published(key).isEmpty());
    assertThat(gauge("backfill_gateway_outbox_oldest_age_seconds")).isGreaterThan(0);

    // The client retries: the same job, answered as a replay, and still one row.
    double replayedBefore = replayed();
    Response retried = submit(key, "ana@northwind.example");
    retried.then().statusCode(202);
    assertThat(retried.jsonPath().getString("jobId")).isEqualTo(job.value());
    assertThat(retried.jsonPath().getString("requestId")).isEqualTo(key);
    assertThat(replayed()).isEqualTo(replayedBefore + 1);

    // Two other instances relay at the same time: the row goes out once.
    int publishedByBoth = twoRelaysPublish();

    assertThat(publishedByBoth).isGreaterThanOrEqualTo(1);
    await().atMost(WAIT).until(() -> published(key).size() == 1);
    await().during(QUIET).atMost(WAIT).until(() -> published(key).size() == 1);
    BackfillRequested request = published(key).get(0);
    assertThat(request.tenantId()).isEqualTo(TENANT);
    assertThat(request.mailbox()).isEqualTo("ana@northwind.example");
    await().atMost(WAIT).until(() -> gauge("backfill_gateway_outbox_pending") == 0);
    assertThat(gauge("backfill_gateway_outbox_oldest_age_seconds")).isZero();
    assertThat(relay.publishPending()).isZero();
  }

  @Test
  void aJobsCommandsArePublishedInOrderAndWaitWhileAnotherInstanceHoldsAnEarlierOne()
      throws Exception {
    String requestId = UUID.randomUUID().toString();
    JobId job = JobId.derive(TENANT, requestId);
    try (TestProducer producer = GatewayFixtures.producer()) {
      GatewayFixtures.publish(
          producer, GatewayFixtures.accepted(TENANT, requestId, "ben@northwind.example"));
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                GatewayFixtures.as(TENANT)
                        .get("/api/v1/backfills/{jobId}", job.value())
                        .statusCode()
                    == 200);
    for (String command : List.of("pause", "resume", "cancel")) {
      GatewayFixtures.as(TENANT)
          .post("/api/v1/backfills/{jobId}/" + command, job.value())
          .then()
          .statusCode(202);
    }
    String otherKey = UUID.randomUUID().toString();
    submit(otherKey, "cy@northwind.example").then().statusCode(202);

    try (Connection otherInstance = dataSource.getConnection()) {
      otherInstance.setAutoCommit(false);
      // Another instance has locked the job's first command and is publishing it.
      try (PreparedStatement lock =
          otherInstance.prepareStatement(
              "SELECT id FROM outbox WHERE job_id = ? AND event_type = 'PauseJob' FOR UPDATE")) {
        lock.setObject(1, UUID.fromString(job.value()));
        try (ResultSet locked = lock.executeQuery()) {
          assertThat(locked.next()).isTrue();
        }
      }

      int published = relay.publishPending();

      assertThat(published).isEqualTo(1);
      await().atMost(WAIT).until(() -> published(otherKey).size() == 1);
      await().during(QUIET).atMost(WAIT).until(() -> commandsFor(job).isEmpty());
      otherInstance.rollback();
    }

    // The other instance gave up its lock without publishing: the job's commands go out in order.
    assertThat(relay.publishPending()).isEqualTo(3);
    await().atMost(WAIT).until(() -> commandsFor(job).size() == 3);
    assertThat(commandsFor(job))
        .extracting(c -> c.getClass().getSimpleName())
        .containsExactly(
            PauseJob.class.getSimpleName(),
            ResumeJob.class.getSimpleName(),
            CancelJob.class.getSimpleName());
    assertThat(commandsFor(job)).allMatch(c -> c.tenantId().equals(TENANT));
  }
}
