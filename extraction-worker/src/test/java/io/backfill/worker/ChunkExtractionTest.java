package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.persistence.DocumentRow;
import io.backfill.worker.persistence.DocumentStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = BackfillInfrastructure.class, restrictToAnnotatedClass = true)
class ChunkExtractionTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TENANT = "contoso";
  private static final Instant RECEIVED = Instant.parse("2024-03-01T09:00:00Z");

  @Inject DocumentStore store;
  @Inject MeterRegistry metrics;

  private TestProducer producer;
  private JobId job;

  @BeforeEach
  void setUp() {
    producer = new TestProducer(KafkaBroker.shared().bootstrapServers());
    job = JobId.derive(TENANT, UUID.randomUUID().toString());
  }

  @AfterEach
  void tearDown() {
    producer.close();
  }

  @Transactional
  List<DocumentRow> documents() {
    return store.documentsOf(TENANT, job);
  }

  @Test
  void aChunkBecomesOneDocumentPerMessageWithTheMessagesFields() {
    Chunk chunk = Chunk.of(TENANT, job, 1, messages(25, 200), false);
    double extractedBefore = counter("backfill_worker_chunks_total", "extracted");
    double messagesBefore = counter("backfill_worker_messages_total", null);

    publish(chunk);

    await().atMost(WAIT).until(() -> documents().size() == 25);
    List<DocumentRow> rows = documents();
    for (MailMessage message : chunk.messages()) {
      DocumentRow row =
          rows.stream().filter(r -> r.messageId().equals(message.id())).findFirst().orElseThrow();
      assertThat(row.subject()).isEqualTo(message.subject());
      assertThat(row.fromName()).isEqualTo(message.from().name());
      assertThat(row.fromAddress()).isEqualTo(message.from().address());
      assertThat(row.to()).isEqualTo(message.to());
      assertThat(row.cc()).isEqualTo(message.cc());
      assertThat(row.body()).isEqualTo(message.body());
      assertThat(row.bodyTruncated()).isEqualTo(message.bodyTruncated());
      assertThat(row.receivedAt()).isEqualTo(message.receivedAt());
      assertThat(row.sentAt()).isEqualTo(message.sentAt());
      assertThat(row.internetMessageId()).isEqualTo(message.internetMessageId());
      assertThat(row.conversationId()).isEqualTo(message.conversationId());
      assertThat(row.jobId()).isEqualTo(UUID.fromString(job.value()));
      assertThat(row.runId()).isEqualTo(chunk.runId().value());
      assertThat(row.seq()).isEqualTo(1);
      assertThat(row.extractionCount()).isEqualTo(1);
    }
    assertThat(rows).filteredOn(DocumentRow::bodyTruncated).hasSize(13);
    await()
        .atMost(WAIT)
        .until(() -> counter("backfill_worker_chunks_total", "extracted") > extractedBefore);
    assertThat(counter("backfill_worker_messages_total", null)).isEqualTo(messagesBefore + 25);
  }

  @Test
  void theSameChunkDeliveredThreeTimesLeavesTheSameRowsWithTheSameContent() {
    Chunk chunk = Chunk.of(TENANT, job, 2, messages(25, 200), false);
    String json = EventJson.toJson(chunk);
    String key = chunk.key();

    producer.send(Topics.BACKFILL_CHUNKS, key, json);
    await().atMost(WAIT).until(() -> documents().size() == 25);
    List<DocumentRow> first = documents().stream().map(DocumentRow::content).toList();

    producer.send(Topics.BACKFILL_CHUNKS, key, json);
    producer.send(Topics.BACKFILL_CHUNKS, key, json);

    await()
        .atMost(WAIT)
        .until(() -> documents().stream().allMatch(row -> row.extractionCount() == 3));
    List<DocumentRow> third = documents();
    assertThat(third).hasSize(25);
    assertThat(third).map(DocumentRow::content).containsExactlyElementsOf(first);
    assertThat(third)
        .allSatisfy(row -> assertThat(row.lastExtractedAt()).isAfter(row.firstExtractedAt()));
  }

  @Test
  void aChunkOfAHundredMessagesWithTenKilobyteBodiesIsExtracted() {
    Chunk chunk = Chunk.of(TENANT, job, 3, messages(100, 10 * 1024), true);
    String json = EventJson.toJson(chunk);
    assertThat(json.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(1024 * 1024);

    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), json);

    await().atMost(WAIT).until(() -> documents().size() == 100);
    assertThat(documents()).allSatisfy(row -> assertThat(row.body()).hasSize(10 * 1024));
  }

  @Test
  void aPoisonRecordGoesToTheDeadLetterTopicWithItsReasonAndTheNextChunkIsStillExtracted() {
    Chunk chunk = Chunk.of(TENANT, job, 4, messages(5, 200), false);
    try (RecordTap dlq =
        RecordTap.open(
            KafkaBroker.shared().bootstrapServers(), Topics.deadLetterOf(Topics.BACKFILL_CHUNKS))) {
      // Same key as the valid chunk: same partition, so the chunk is consumed after the poison.
      producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), "{\"type\":\"ChunkExploded\"}");
      publish(chunk);

      await()
          .atMost(WAIT)
          .until(() -> dlq.records().stream().anyMatch(r -> chunk.key().equals(r.key())));
      ConsumerRecord<String, String> dead =
          dlq.records().stream().filter(r -> chunk.key().equals(r.key())).findFirst().orElseThrow();
      assertThat(dead.value()).isEqualTo("{\"type\":\"ChunkExploded\"}");
      Header reason = dead.headers().lastHeader("dead-letter-reason");
      assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("ChunkExploded");
      await().atMost(WAIT).until(() -> documents().size() == 5);
    }
  }

  @Test
  void aPoisonRecordLargerThanOneMebibyteStillReachesTheDeadLetterTopic() {
    String key = "poison-" + UUID.randomUUID();
    String poison = "{\"type\":\"ChunkExploded\",\"padding\":\"" + "x".repeat(1536 * 1024) + "\"}";
    try (RecordTap dlq =
        RecordTap.open(
            KafkaBroker.shared().bootstrapServers(), Topics.deadLetterOf(Topics.BACKFILL_CHUNKS))) {
      producer.send(Topics.BACKFILL_CHUNKS, key, poison);

      await().atMost(WAIT).until(() -> dlq.records().stream().anyMatch(r -> key.equals(r.key())));
      assertThat(dlq.records())
          .filteredOn(r -> key.equals(r.key()))
          .singleElement()
          .satisfies(r -> assertThat(r.value()).isEqualTo(poison));
    }
  }

  private void publish(Chunk chunk) {
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
  }

  /** Messages with distinct fields; every other one has a body cut at the fetcher's limit. */
  private List<MailMessage> messages(int count, int bodyLength) {
    String prefix = job.value().substring(0, 8);
    List<MailMessage> messages = new ArrayList<>();
    IntStream.range(0, count)
        .forEach(
            i ->
                messages.add(
                    new MailMessage(
                        "AAMk-" + prefix + "-" + i,
                        "<" + prefix + "." + i + "@contoso.com>",
                        "conv-" + prefix + "-" + (i % 3),
                        "Subject " + i,
                        RECEIVED.plus(i, ChronoUnit.MINUTES),
                        i % 4 == 0 ? null : RECEIVED.plus(i, ChronoUnit.MINUTES).minusSeconds(30),
                        new Recipient("Sender " + i, "sender" + i + "@contoso.com"),
                        List.of(
                            new Recipient("Ann", "ann@contoso.com"),
                            new Recipient(null, "bob@fabrikam.com")),
                        i % 2 == 0 ? List.of() : List.of(new Recipient("Cy", "cy@contoso.com")),
                        body(i, bodyLength),
                        i % 2 == 0)));
    return messages;
  }

  private static String body(int i, int length) {
    StringBuilder body = new StringBuilder("Message " + i + ". ");
    while (body.length() < length) {
      body.append("Lorem ipsum dolor sit amet ");
    }
    return body.substring(0, length);
  }

  private double counter(String name, String outcome) {
    var search = metrics.find(name);
    if (outcome != null) {
      search = search.tag("outcome", outcome);
    }
    return search.counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
