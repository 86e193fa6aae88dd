package io.backfill.fetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobRejected;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class JobIntakeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String INTAKE_GROUP = "ingest-fetcher";
  private static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2024-07-01T00:00:00Z");

  @Inject JobStore store;
  @Inject MeterRegistry metrics;

  private TestProducer producer;
  private RecordTap jobEvents;
  // A tenant per test: topics are shared by every test class of the JVM.
  private String tenant;

  @BeforeEach
  void setUp() {
    String bootstrap = KafkaBroker.shared().bootstrapServers();
    producer = new TestProducer(bootstrap);
    jobEvents = RecordTap.open(bootstrap, Topics.JOB_EVENTS);
    tenant = "contoso-" + UUID.randomUUID();
  }

  @AfterEach
  void tearDown() {
    jobEvents.close();
    producer.close();
  }

  @Test
  void validRequestBecomesAPendingJobAndOneJobAcceptedWithTheDerivedJobId() {
    double acceptedBefore = requests("accepted");
    BackfillRequested request = request("ana@contoso.com", FROM, TO);
    JobId jobId = JobId.derive(tenant, request.requestId());

    publish(request);

    JobAccepted accepted = awaitEvent(jobId, JobAccepted.class);
    assertThat(accepted.requestId()).isEqualTo(request.requestId());
    assertThat(accepted.tenantId()).isEqualTo(tenant);
    assertThat(accepted.mailbox()).isEqualTo("ana@contoso.com");
    assertThat(accepted.from()).isEqualTo(FROM);
    assertThat(accepted.to()).isEqualTo(TO);
    await().atMost(WAIT).until(() -> job(jobId).map(JobRow::acceptedPublished).orElse(false));
    JobRow job = job(jobId).orElseThrow();
    assertThat(job.status()).isEqualTo("pending");
    assertThat(job.tenantId()).isEqualTo(tenant);
    assertThat(job.requestId()).isEqualTo(request.requestId());
    assertThat(job.mailbox()).isEqualTo("ana@contoso.com");
    assertThat(job.windowFrom()).isEqualTo(FROM);
    assertThat(job.windowTo()).isEqualTo(TO);
    assertThat(job.pagesPublished()).isZero();
    assertThat(job.messagesPublished()).isZero();
    assertThat(job.nextLink()).isNull();
    assertThat(requests("accepted")).isGreaterThan(acceptedBefore);
  }

  @Test
  void sameRequestPostedTwiceIsOneJobAndOneJobAccepted() {
    double duplicatesBefore = requests("duplicate");
    BackfillRequested first = request("ana@contoso.com", FROM, TO);
    BackfillRequested again = withNewEventId(first);
    // Same tenant and mailbox, so the same key and partition: once its JobAccepted is out, the
    // repeated request before it has been consumed too.
    BackfillRequested later = request("ana@contoso.com", FROM, TO);
    JobId jobId = JobId.derive(tenant, first.requestId());

    publish(first);
    publish(again);
    publish(later);

    awaitEvent(JobId.derive(tenant, later.requestId()), JobAccepted.class);
    assertThat(eventsOf(jobId)).hasSize(1).first().isInstanceOf(JobAccepted.class);
    assertThat(job(jobId)).hasValueSatisfying(job -> assertThat(job.status()).isEqualTo("pending"));
    assertThat(requests("duplicate")).isGreaterThan(duplicatesBefore);
  }

  @Test
  void windowWhoseFromIsNotBeforeToIsRejectedWithoutAJob() {
    BackfillRequested request = request("ana@contoso.com", TO, FROM);

    JobRejected rejected = publishAndAwaitRejection(request);

    assertThat(rejected.reason()).contains("from").contains("not before").contains("to");
  }

  @Test
  void windowLongerThanTheMaximumIsRejectedWithoutAJob() {
    BackfillRequested request =
        request("ana@contoso.com", Instant.parse("2000-01-01T00:00:00Z"), TO);

    JobRejected rejected = publishAndAwaitRejection(request);

    assertThat(rejected.reason()).contains("window").contains("maximum of 1826 days");
  }

  @Test
  void mailboxThatIsNeitherAnAddressNorAGuidIsRejectedWithoutAJob() {
    BackfillRequested request = request("bob", FROM, TO);

    JobRejected rejected = publishAndAwaitRejection(request);

    assertThat(rejected.reason())
        .isEqualTo("mailbox 'bob' is neither an email address nor a user id (GUID)");
  }

  @Test
  void mailboxGivenAsAGraphUserIdIsAccepted() {
    BackfillRequested request = request(UUID.randomUUID().toString(), FROM, TO);

    publish(request);

    awaitEvent(JobId.derive(tenant, request.requestId()), JobAccepted.class);
  }

  @Test
  void poisonRecordsGoToTheDeadLetterTopicWithTheirReasonAndTheNextRequestIsAccepted() {
    try (RecordTap dlq =
        RecordTap.open(
            KafkaBroker.shared().bootstrapServers(),
            Topics.deadLetterOf(Topics.BACKFILL_REQUESTS))) {
      double malformedBefore = requests("malformed");
      BackfillRequested next = request("ana@contoso.com", FROM, TO);
      // The request's key puts the poison on the same partition, ahead of the valid request.
      String key = next.key();
      producer.send(Topics.BACKFILL_REQUESTS, key, "this is not JSON {");
      producer.send(Topics.BACKFILL_REQUESTS, key, "{\"type\":\"BackfillExploded\"}");
      publish(next);

      awaitEvent(JobId.derive(tenant, next.requestId()), JobAccepted.class);
      await().atMost(WAIT).until(() -> deadLetters(dlq, key).size() == 2);
      List<ConsumerRecord<String, String>> dead = deadLetters(dlq, key);
      assertThat(dead.get(0).value()).isEqualTo("this is not JSON {");
      assertThat(reason(dead.get(0))).contains("MALFORMED_JSON");
      assertThat(reason(dead.get(1))).contains("UNKNOWN_TYPE").contains("BackfillExploded");
      assertThat(requests("malformed")).isGreaterThanOrEqualTo(malformedBefore + 2);
    }
  }

  @Test
  void aHugeMalformedRequestIsDeadLetteredAndIntakeGoesOn() {
    try (RecordTap dlq =
        RecordTap.open(
            KafkaBroker.shared().bootstrapServers(),
            Topics.deadLetterOf(Topics.BACKFILL_REQUESTS))) {
      BackfillRequested next = request("ana@contoso.com", FROM, TO);
      String key = next.key();
      // As large as the topic takes: its dead-letter copy, with the reason headers, is larger
      // than a producer's default 1 MiB request.
      byte[] huge = new byte[1024 * 1024 - 200];
      java.util.Arrays.fill(huge, (byte) 'x');
      producer.sendRaw(Topics.BACKFILL_REQUESTS, key, huge);
      // 2 MiB of mailbox, compressed to fit the topic: its rejection must not repeat it all.
      BackfillRequested badMailbox = request("m".repeat(2 * 1024 * 1024), FROM, TO);
      double undeadBefore = deadLetterFailures(Topics.BACKFILL_REQUESTS);
      try (var compressing = compressingProducer()) {
        compressing
            .send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(
                    Topics.BACKFILL_REQUESTS, key, EventJson.toJson(badMailbox)))
            .get(30, TimeUnit.SECONDS);
        // 2 MiB of non-JSON, compressed to fit the topic: too large for any dead-letter copy.
        compressing
            .send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(
                    Topics.BACKFILL_REQUESTS, key, "y".repeat(2 * 1024 * 1024)))
            .get(30, TimeUnit.SECONDS);
      }
      publish(next);

      awaitEvent(JobId.derive(tenant, next.requestId()), JobAccepted.class);
      JobRejected rejected =
          awaitEvent(JobId.derive(tenant, badMailbox.requestId()), JobRejected.class);
      assertThat(rejected.reason().getBytes(StandardCharsets.UTF_8).length)
          .isLessThanOrEqualTo(1024);
      assertThat(rejected.reason()).contains("mailbox");
      await().atMost(WAIT).until(() -> deadLetters(dlq, key).size() == 1);
      ConsumerRecord<String, String> dead = deadLetters(dlq, key).get(0);
      assertThat(dead.value()).hasSize(huge.length);
      assertThat(reason(dead).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
      // The record no dead-letter topic takes was counted and skipped, not a stopped consumer.
      await()
          .atMost(WAIT)
          .until(() -> deadLetterFailures(Topics.BACKFILL_REQUESTS) >= undeadBefore + 1);
      io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200);
      io.restassured.RestAssured.given().get("/q/health/live").then().statusCode(200);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static org.apache.kafka.clients.producer.KafkaProducer<String, String>
      compressingProducer() {
    return new org.apache.kafka.clients.producer.KafkaProducer<>(
        Map.of(
            "bootstrap.servers",
            KafkaBroker.shared().bootstrapServers(),
            "compression.type",
            "zstd",
            "max.request.size",
            "8388608",
            "acks",
            "all"),
        new org.apache.kafka.common.serialization.StringSerializer(),
        new org.apache.kafka.common.serialization.StringSerializer());
  }

  @Test
  void anIdleFetcherKeepsItsPlaceInTheGroupAndAcceptsARequestSentAfterTheIdlePeriod() {
    // LESSONS row 10: the replaced worker stopped itself after five idle minutes and jobs stayed
    // pending. Nothing here ends on idleness: idle for longer than twice the consumer's session
    // timeout (6 s in this profile), the intake consumer is still a member of its group throughout,
    // and a request sent afterwards becomes a job.
    Duration idle = Duration.ofSeconds(13);
    await("the intake consumer to join its group")
        .atMost(WAIT)
        .until(() -> intakeGroupMembers() > 0);

    await("the intake consumer to stay in its group while idle")
        .during(idle)
        .atMost(idle.plus(WAIT))
        .until(() -> intakeGroupMembers() > 0);

    BackfillRequested request = request("ana@contoso.com", FROM, TO);
    publish(request);
    awaitEvent(JobId.derive(tenant, request.requestId()), JobAccepted.class);
  }

  private static int intakeGroupMembers() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers()))) {
      return admin
          .describeConsumerGroups(List.of(INTAKE_GROUP))
          .describedGroups()
          .get(INTAKE_GROUP)
          .get(10, TimeUnit.SECONDS)
          .members()
          .size();
    }
  }

  private BackfillRequested request(String mailbox, Instant from, Instant to) {
    return BackfillRequested.of(tenant, "req-" + UUID.randomUUID(), mailbox, from, to, null);
  }

  private static BackfillRequested withNewEventId(BackfillRequested r) {
    return new BackfillRequested(
        UUID.randomUUID(),
        r.schemaVersion(),
        Instant.now(),
        r.tenantId(),
        r.requestId(),
        r.mailbox(),
        r.from(),
        r.to(),
        r.folder());
  }

  private void publish(BackfillRequested request) {
    producer.send(Topics.BACKFILL_REQUESTS, request.key(), EventJson.toJson(request));
  }

  private JobRejected publishAndAwaitRejection(BackfillRequested request) {
    JobId jobId = JobId.derive(tenant, request.requestId());
    publish(request);
    JobRejected rejected = awaitEvent(jobId, JobRejected.class);
    assertThat(rejected.requestId()).isEqualTo(request.requestId());
    assertThat(rejected.tenantId()).isEqualTo(tenant);
    // Rejection is published without ever writing a job row.
    assertThat(job(jobId)).isEmpty();
    return rejected;
  }

  private <T extends JobEvent> T awaitEvent(JobId jobId, Class<T> type) {
    await("a " + type.getSimpleName() + " for job " + jobId)
        .atMost(WAIT)
        .until(() -> eventsOf(jobId).stream().anyMatch(type::isInstance));
    return eventsOf(jobId).stream().filter(type::isInstance).map(type::cast).findFirst().get();
  }

  private List<JobEvent> eventsOf(JobId jobId) {
    return jobEvents.records().stream()
        .filter(r -> jobId.value().equals(r.key()))
        .map(r -> EventJson.fromJson(r.value(), JobEvent.class))
        .toList();
  }

  private static List<ConsumerRecord<String, String>> deadLetters(RecordTap dlq, String key) {
    return dlq.records().stream().filter(r -> key.equals(r.key())).toList();
  }

  private static String reason(ConsumerRecord<String, String> record) {
    Header reason = record.headers().lastHeader("dead-letter-reason");
    assertThat(reason).as("dead-letter-reason header").isNotNull();
    return new String(reason.value(), StandardCharsets.UTF_8);
  }

  @Transactional
  Optional<JobRow> job(JobId jobId) {
    return store.find(jobId);
  }

  private double deadLetterFailures(String topic) {
    return metrics
        .find("backfill_fetcher_dead_letter_failures_total")
        .tag("topic", topic)
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private double requests(String outcome) {
    return metrics
        .find("backfill_fetcher_requests_total")
        .tag("outcome", outcome)
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}
