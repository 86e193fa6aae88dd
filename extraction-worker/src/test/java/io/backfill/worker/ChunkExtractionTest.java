package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.domain.ExtractedGraph;
import io.backfill.worker.domain.ExtractedGraph.Entity;
import io.backfill.worker.domain.ExtractedGraph.Mention;
import io.backfill.worker.domain.ExtractedGraph.Relationship;
import io.backfill.worker.embedding.MessageEmbedder;
import io.backfill.worker.embedding.MessageEmbedder.MessageEmbedding;
import io.backfill.worker.persistence.CompletedRunStore;
import io.backfill.worker.persistence.DocumentRow;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.persistence.EmbeddingStore;
import io.backfill.worker.persistence.GraphStore;
import io.backfill.worker.persistence.Jdbc;
import io.backfill.worker.support.Runs;
import io.backfill.worker.support.Sql;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ChunkExtractionTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TENANT = "contoso";
  private static final Instant RECEIVED = Instant.parse("2024-03-01T09:00:00Z");

  @Inject DocumentStore store;
  @Inject MeterRegistry metrics;
  @Inject GraphStore graphs;
  @Inject EmbeddingStore embeddingStore;
  @Inject CompletedRunStore completedRuns;
  @Inject Jdbc jdbc;

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

  @Transactional
  List<DocumentRow> documentsOf(String tenant) {
    return store.documentsOf(tenant, job);
  }

  @Transactional
  boolean completed(Chunk chunk) {
    return completedRuns.find(chunk.runId()).isPresent();
  }

  @Transactional
  void forgetCompletion(Chunk chunk) {
    // Both marks of a started run: the commit and the lease (a record of a started run is skipped).
    for (String table : List.of("completed_runs", "run_leases")) {
      Sql.update(jdbc, "DELETE FROM " + table + " WHERE run_id = ?", chunk.runId().value());
    }
  }

  record Snapshot(
      List<DocumentRow> documents,
      List<Entity> entities,
      List<Mention> mentions,
      List<Relationship> relationships,
      List<MessageEmbedding> embeddings) {}

  @Transactional
  Snapshot snapshot(String tenant) {
    return new Snapshot(
        store.documentsOf(tenant, job).stream().map(DocumentRow::content).toList(),
        graphs.entitiesOf(tenant),
        graphs.mentionsOf(tenant),
        graphs.relationshipsOf(tenant),
        embeddingStore.embeddingsOf(tenant));
  }

  @Transactional
  void writeDirectly(Chunk chunk, ExtractedGraph graph) {
    store.upsertAll(chunk);
    graphs.upsert(chunk.tenantId(), graph);
  }

  @Test
  void chunksThatMentionTheSameEntityDoNotWaitForEachOthersCommit() throws Exception {
    String tenant = "tenant-shared-" + UUID.randomUUID();
    Entity owner = new Entity("person:owner@contoso.com", "person", "Owner", "owner@contoso.com");
    ExtractedGraph graph = new ExtractedGraph(List.of(owner), List.of(), List.of());
    QuarkusTransaction.requiringNew().run(() -> graphs.upsert(tenant, graph));
    CountDownLatch firstWrote = new CountDownLatch(1);
    CountDownLatch secondDone = new CountDownLatch(1);
    ExecutorService firstChunk = Executors.newSingleThreadExecutor();
    try {
      // The first chunk writes the entity and keeps its transaction open.
      Future<?> first =
          firstChunk.submit(
              () ->
                  QuarkusTransaction.requiringNew()
                      .run(
                          () -> {
                            graphs.upsert(tenant, graph);
                            firstWrote.countDown();
                            awaitLatch(secondDone);
                          }));
      assertThat(firstWrote.await(30, TimeUnit.SECONDS)).isTrue();

      // The second gives up on any row lock after 2 s: it must not need the first one's.
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                jdbc.run(
                    connection -> {
                      try (Statement set = connection.createStatement()) {
                        set.execute("SET LOCAL lock_timeout = '2s'");
                      }
                    });
                graphs.upsert(tenant, graph);
              });
      secondDone.countDown();
      first.get(30, TimeUnit.SECONDS);
    } finally {
      secondDone.countDown();
      firstChunk.shutdownNow();
    }
    assertThat(QuarkusTransaction.requiringNew().call(() -> graphs.entitiesOf(tenant)))
        .containsExactly(owner);
  }

  @Test
  void anEntityTakesTheNameAChunkGivesItAndKeepsItWhenAChunkGivesNone() {
    String tenant = "tenant-rename-" + UUID.randomUUID();
    Entity before = new Entity("person:ann@contoso.com", "person", "Ann", "ann@contoso.com");
    Entity renamed = new Entity("person:ann@contoso.com", "person", "Ann Lee", "ann@contoso.com");
    Entity nameless = new Entity("person:ann@contoso.com", "person", null, "ann@contoso.com");

    for (Entity e : List.of(before, renamed, nameless)) {
      QuarkusTransaction.requiringNew()
          .run(() -> graphs.upsert(tenant, new ExtractedGraph(List.of(e), List.of(), List.of())));
    }

    assertThat(QuarkusTransaction.requiringNew().call(() -> graphs.entitiesOf(tenant)))
        .containsExactly(renamed);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the second chunk did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void textWithQuotesBackslashesBracesAndNullsIsStoredAsItCameAndAgainUnchanged() {
    String tenant = "tenant-odd-" + UUID.randomUUID();
    String odd = "O'Brien \"Bob\" \\ {x}, y NULL \u00fc\u2713";
    MailMessage message =
        new MailMessage(
            "AAMk-odd",
            null,
            null,
            odd,
            Instant.parse("2026-01-02T03:04:05.123456789Z"),
            null,
            new Recipient(odd, "a@x.org"),
            List.of(new Recipient(null, "b@x.org")),
            List.of(),
            "body " + odd,
            true);
    Chunk chunk = Chunk.of(tenant, job, 1, List.of(message), false);
    List<String> roles = List.of("from", "say \"hi\"", "back\\slash", "{braces}, comma", "NULL");
    Entity person = new Entity("person:a@x.org", "person", odd, "a@x.org");
    Entity thread = new Entity("thread:" + odd, "thread", null, null);
    ExtractedGraph graph =
        new ExtractedGraph(
            List.of(thread, person),
            List.of(
                new Mention("AAMk-odd", thread.key(), List.of()),
                new Mention("AAMk-odd", person.key(), roles)),
            List.of(new Relationship(person.key(), "replied_in", thread.key(), "AAMk-odd")));

    writeDirectly(chunk, graph);
    Snapshot first = snapshot(tenant);
    writeDirectly(chunk, graph);

    assertThat(snapshot(tenant)).isEqualTo(first);
    DocumentRow row = documentsOf(tenant).get(0);
    assertThat(row.subject()).isEqualTo(odd);
    assertThat(row.fromName()).isEqualTo(odd);
    assertThat(row.body()).isEqualTo("body " + odd);
    assertThat(row.internetMessageId()).isNull();
    assertThat(row.sentAt()).isNull();
    assertThat(row.bodyTruncated()).isTrue();
    // Microseconds, rounded half up as the driver rounds a timestamp parameter.
    assertThat(row.receivedAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05.123457Z"));
    assertThat(row.to()).containsExactly(new Recipient(null, "b@x.org"));
    assertThat(first.entities()).containsExactly(person, thread);
    assertThat(first.mentions())
        .containsExactlyInAnyOrder(
            new Mention("AAMk-odd", person.key(), roles),
            new Mention("AAMk-odd", thread.key(), List.of()));
    assertThat(first.relationships())
        .containsExactly(new Relationship(person.key(), "replied_in", thread.key(), "AAMk-odd"));
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
  void theSameChunkDeliveredThreeTimesIsExtractedOnceAndThenSkipped() {
    Chunk chunk = Chunk.of(TENANT, job, 2, messages(25, 200), false);
    String json = EventJson.toJson(chunk);
    String key = chunk.key();
    double skippedBefore = counter("backfill_worker_chunks_total", "skipped");

    producer.send(Topics.BACKFILL_CHUNKS, key, json);
    await().atMost(WAIT).until(() -> documents().size() == 25 && completed(chunk));
    List<DocumentRow> first = documents();

    producer.send(Topics.BACKFILL_CHUNKS, key, json);
    producer.send(Topics.BACKFILL_CHUNKS, key, json);

    await()
        .atMost(WAIT)
        .until(() -> counter("backfill_worker_chunks_total", "skipped") >= skippedBefore + 2);
    assertThat(documents()).containsExactlyElementsOf(first);
    assertThat(documents()).allSatisfy(row -> assertThat(row.extractionCount()).isEqualTo(1));
  }

  @Test
  void aChunkExtractedThreeTimesLeavesTheSameDocumentsEntitiesMentionsAndRelationships() {
    // Its seq is the one that stored its messages: a replay of the same chunk changes nothing.
    String tenant = "rerun-" + UUID.randomUUID();
    Chunk chunk = Chunk.of(tenant, job, 5, messages(25, 200), false);
    String json = EventJson.toJson(chunk);

    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), json);
    await().atMost(WAIT).until(() -> completed(chunk));
    Snapshot first = snapshot(tenant);
    assertThat(first.entities()).isNotEmpty();
    assertThat(first.mentions()).isNotEmpty();
    assertThat(first.relationships()).isNotEmpty();
    assertThat(first.embeddings()).hasSize(25);

    for (int delivery = 2; delivery <= 3; delivery++) {
      // Forget the completion, so the delivery is extracted again instead of skipped.
      forgetCompletion(chunk);
      producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), json);
      await().atMost(WAIT).until(() -> completed(chunk));
    }
    assertThat(documentsOf(tenant))
        .allSatisfy(row -> assertThat(row.extractionCount()).isEqualTo(1));

    Snapshot third = snapshot(tenant);
    assertThat(third.documents()).isEqualTo(first.documents());
    assertThat(third.entities()).isEqualTo(first.entities());
    assertThat(third.mentions()).isEqualTo(first.mentions());
    assertThat(third.relationships()).isEqualTo(first.relationships());
    assertThat(third.embeddings()).hasSize(25);
    for (int i = 0; i < 25; i++) {
      assertThat(third.embeddings().get(i).messageId())
          .isEqualTo(first.embeddings().get(i).messageId());
      assertThat(third.embeddings().get(i).vector())
          .containsExactly(first.embeddings().get(i).vector(), within(1e-5f));
    }
  }

  @Test
  void rulesFindPeopleOrganisationsThreadsAndDatesWithTheirRelationships() {
    String tenant = "rules-" + UUID.randomUUID();
    Recipient ann = new Recipient("Ann Lee", "Ann@Contoso.com");
    Recipient bob = new Recipient("Bob Roe", "bob@fabrikam.com");
    Recipient carol = new Recipient(null, "carol@gmail.com");
    List<MailMessage> mail =
        List.of(
            new MailMessage(
                "m1",
                null,
                "conv-x",
                "Budget 2024",
                Instant.parse("2024-03-01T09:00:00Z"),
                null,
                ann,
                List.of(bob),
                List.of(carol),
                "Numbers attached.",
                false),
            new MailMessage(
                "m2",
                null,
                "conv-x",
                "RE: Budget 2024",
                Instant.parse("2024-03-02T10:00:00Z"),
                null,
                bob,
                List.of(new Recipient("Ann", "ann@contoso.com")),
                List.of(),
                "Thanks.",
                false),
            new MailMessage(
                "m3",
                null,
                null,
                null,
                Instant.parse("2024-03-02T23:00:00Z"),
                null,
                null,
                List.of(new Recipient("Dan", "dan@contoso.com")),
                List.of(),
                "Lunch on Friday?",
                false));
    Chunk chunk = Chunk.of(tenant, job, 6, mail, false);

    try (RecordTap results =
        RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.EXTRACTION_RESULTS)) {
      publish(chunk);
      await().atMost(WAIT).until(() -> !Runs.resultsOf(results, chunk.runId().value()).isEmpty());
      ChunkExtracted extracted = Runs.resultsOf(results, chunk.runId().value()).get(0);
      assertThat(extracted.messages()).isEqualTo(3);
      assertThat(extracted.entities()).isEqualTo(9);
      assertThat(extracted.relationships()).isEqualTo(9);
      assertThat(extracted.embeddings()).isEqualTo(3);
      assertThat(extracted.llm().status()).isEqualTo(LlmStatus.SKIPPED_NO_KEY);
    }

    Snapshot graph = snapshot(tenant);
    assertThat(graph.entities())
        .containsExactly(
            new Entity("date:2024-03-01", "date", "2024-03-01", null),
            new Entity("date:2024-03-02", "date", "2024-03-02", null),
            new Entity("organisation:contoso.com", "organisation", "contoso.com", null),
            new Entity("organisation:fabrikam.com", "organisation", "fabrikam.com", null),
            new Entity("person:ann@contoso.com", "person", "Ann Lee", "ann@contoso.com"),
            new Entity("person:bob@fabrikam.com", "person", "Bob Roe", "bob@fabrikam.com"),
            new Entity("person:carol@gmail.com", "person", null, "carol@gmail.com"),
            new Entity("person:dan@contoso.com", "person", "Dan", "dan@contoso.com"),
            new Entity("thread:conv-x", "thread", "Budget 2024", null));
    assertThat(graph.relationships())
        .containsExactlyInAnyOrder(
            new Relationship("person:ann@contoso.com", "sent_to", "person:bob@fabrikam.com", "m1"),
            new Relationship("person:ann@contoso.com", "cc", "person:carol@gmail.com", "m1"),
            new Relationship(
                "person:ann@contoso.com", "works_at", "organisation:contoso.com", "m1"),
            new Relationship(
                "person:bob@fabrikam.com", "works_at", "organisation:fabrikam.com", "m1"),
            new Relationship("person:bob@fabrikam.com", "sent_to", "person:ann@contoso.com", "m2"),
            new Relationship(
                "person:bob@fabrikam.com", "works_at", "organisation:fabrikam.com", "m2"),
            new Relationship(
                "person:ann@contoso.com", "works_at", "organisation:contoso.com", "m2"),
            new Relationship("person:bob@fabrikam.com", "replied_in", "thread:conv-x", "m2"),
            new Relationship(
                "person:dan@contoso.com", "works_at", "organisation:contoso.com", "m3"));
    assertThat(graph.mentions()).hasSize(16);
    assertThat(graph.embeddings())
        .extracting(MessageEmbedding::messageId)
        .containsExactly("m1", "m2", "m3");
    assertThat(graph.embeddings())
        .allSatisfy(e -> assertThat(e.vector()).hasSize(MessageEmbedder.DIMENSIONS));
    // Two messages about the same budget are closer to each other than to an empty one.
    float[] m1 = graph.embeddings().get(0).vector();
    float[] m2 = graph.embeddings().get(1).vector();
    float[] m3 = graph.embeddings().get(2).vector();
    assertThat(cosine(m1, m2)).isGreaterThan(cosine(m1, m3));
    assertThat(graph.mentions())
        .contains(
            new Mention("m1", "person:ann@contoso.com", List.of("from")),
            new Mention("m1", "person:carol@gmail.com", List.of("cc")),
            new Mention("m1", "thread:conv-x", List.of("thread")),
            new Mention("m2", "person:ann@contoso.com", List.of("to")),
            new Mention("m3", "date:2024-03-02", List.of("received")),
            new Mention("m3", "organisation:contoso.com", List.of("domain")));
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

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private double counter(String name, String outcome) {
    var search = metrics.find(name);
    if (outcome != null) {
      search = search.tag("outcome", outcome);
    }
    return search.counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
