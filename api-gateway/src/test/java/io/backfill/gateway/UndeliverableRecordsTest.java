package io.backfill.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.backfill.contracts.deadletter.DeadLetterText;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Records a consumer cannot use, as large as the topic accepts, end in the dead-letter topic or,
 * when even the dead-letter topic cannot take them, are logged, counted and skipped: the consumer
 * goes on with the next record and stays ready.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class UndeliverableRecordsTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TENANT = "fabrikam";

  @Inject MeterRegistry metrics;
  @Inject AgroalDataSource dataSource;

  @BeforeAll
  static void newDatabase() {
    GatewayFixtures.forgetKeys();
  }

  /**
   * A producer that compresses: a run.events record over the topic's 1 MiB limit is accepted when
   * its compressed batch is under it, as a misbehaving producer could send it.
   */
  private static KafkaProducer<String, byte[]> compressingProducer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(props);
  }

  private static byte[] notJson(int bytes) {
    byte[] value = new byte[bytes];
    Arrays.fill(value, (byte) 'x');
    value[0] = '<';
    return value;
  }

  private double counted(String name, String... tags) {
    var counter = metrics.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void oversizedNonJsonRecordsAndATombstoneOnRunEventsNeverStopTheConsumer() throws Exception {
    JobId job = JobId.derive(TENANT, UUID.randomUUID().toString());
    String key = job.value();
    RunStarted valid =
        GatewayFixtures.extractStarted(TENANT, job, 1, AttemptId.random(), "worker-1", "abc1234");
    double projectedBefore =
        counted(
            "backfill_gateway_events_total",
            "topic",
            Topics.RUN_EVENTS,
            "type",
            "RunStarted",
            "outcome",
            "projected");
    double undeliverableBefore =
        counted("backfill_gateway_dead_letter_failures_total", "topic", Topics.RUN_EVENTS);
    // Over Kafka's 1 MiB default max.request.size, under the dead-letter topic's limit: only a
    // dead-letter producer sized from the topic can copy it.
    byte[] overDefault = notJson(1_080_000);
    // Over the dead-letter topic's limit too: no producer may copy it uncompressed.
    byte[] twoMiB = notJson(2 * 1024 * 1024);

    try (RecordTap dlq =
            RecordTap.open(
                KafkaBroker.shared().bootstrapServers(), Topics.deadLetterOf(Topics.RUN_EVENTS));
        KafkaProducer<String, byte[]> producer = compressingProducer()) {
      // One key: one partition, consumed in this order.
      producer.send(new ProducerRecord<>(Topics.RUN_EVENTS, key, twoMiB)).get(30, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>(Topics.RUN_EVENTS, key, null)).get(30, TimeUnit.SECONDS);
      producer
          .send(new ProducerRecord<>(Topics.RUN_EVENTS, key, overDefault))
          .get(30, TimeUnit.SECONDS);
      producer
          .send(
              new ProducerRecord<>(
                  Topics.RUN_EVENTS, key, EventJson.toJson(valid).getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);

      await()
          .atMost(WAIT)
          .until(
              () ->
                  counted(
                          "backfill_gateway_events_total",
                          "topic",
                          Topics.RUN_EVENTS,
                          "type",
                          "RunStarted",
                          "outcome",
                          "projected")
                      > projectedBefore);

      await()
          .atMost(WAIT)
          .until(() -> dlq.records().stream().filter(r -> key.equals(r.key())).count() == 2);
      var dead = dlq.records().stream().filter(r -> key.equals(r.key())).toList();
      ConsumerRecord<String, String> tombstone = dead.get(0);
      assertThat(tombstone.value()).isNull();
      assertThat(reason(tombstone)).isNotBlank();
      ConsumerRecord<String, String> large = dead.get(1);
      assertThat(large.value()).hasSize(overDefault.length).startsWith("<xxx");
      assertThat(reason(large).getBytes(StandardCharsets.UTF_8).length)
          .isLessThanOrEqualTo(DeadLetterText.MAX_BYTES);
      assertThat(counted("backfill_gateway_dead_letter_failures_total", "topic", Topics.RUN_EVENTS))
          .isEqualTo(undeliverableBefore + 1);
    }
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void aRecordTheDatabaseRefusesGoesToTheDeadLetterTopicAndTheRestOfItsBatchIsProjected()
      throws Exception {
    JobId job = JobId.derive(TENANT, UUID.randomUUID().toString());
    String key = job.value();
    AttemptId first = AttemptId.random();
    AttemptId refused = AttemptId.random();
    AttemptId last = AttemptId.random();
    // A valid event whose row PostgreSQL refuses: a text value cannot hold a NUL character.
    RunFailed unstorable =
        RunFailed.of(
            TENANT,
            RunId.extract(job, 2),
            refused,
            "worker-1",
            false,
            ErrorInfo.coded("boom", "a NUL \u0000 inside"));
    List<RunEvent> events =
        List.of(
            GatewayFixtures.extractStarted(TENANT, job, 1, first, "worker-1", "abc1234"),
            unstorable,
            GatewayFixtures.extractStarted(TENANT, job, 3, last, "worker-1", "abc1234"));

    try (RecordTap dlq =
            RecordTap.open(
                KafkaBroker.shared().bootstrapServers(), Topics.deadLetterOf(Topics.RUN_EVENTS));
        KafkaProducer<String, byte[]> producer = compressingProducer()) {
      // Sent together on one key, so they are read in this order and most likely in one poll.
      for (RunEvent event : events) {
        producer.send(new ProducerRecord<>(Topics.RUN_EVENTS, key, EventJson.toBytes(event)));
      }
      producer.flush();

      await()
          .atMost(WAIT)
          .until(() -> dlq.records().stream().filter(r -> key.equals(r.key())).count() == 1);
      ConsumerRecord<String, String> dead =
          dlq.records().stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow();
      assertThat(EventJson.fromJson(dead.value(), RunEvent.class).eventId())
          .isEqualTo(unstorable.eventId());
      assertThat(reason(dead)).isNotBlank();
      await().atMost(WAIT).until(() -> attemptsOf(job), ids -> ids.size() == 2);
      assertThat(attemptsOf(job)).containsExactlyInAnyOrder(first.value(), last.value());
    }
  }

  /** The attempt ids stored for the job. */
  private List<UUID> attemptsOf(JobId job) throws Exception {
    try (var connection = dataSource.getConnection();
        var query =
            connection.prepareStatement(
                "SELECT attempt_id FROM gateway.run_attempts WHERE tenant_id = ? AND job_id = ?")) {
      query.setString(1, TENANT);
      query.setObject(2, UUID.fromString(job.value()));
      try (var rows = query.executeQuery()) {
        List<UUID> ids = new java.util.ArrayList<>();
        while (rows.next()) {
          ids.add(rows.getObject(1, UUID.class));
        }
        return ids;
      }
    }
  }

  private static String reason(ConsumerRecord<String, String> record) {
    Header header = record.headers().lastHeader("dead-letter-reason");
    return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }
}
