package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ChangeCounts;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.FolderSweep;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.contracts.event.RemovedMessage;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.domain.ExtractedGraph.Entity;
import io.backfill.worker.domain.ExtractedGraph.Mention;
import io.backfill.worker.domain.RuleBasedExtractor;
import io.backfill.worker.embedding.MessageEmbedder.MessageEmbedding;
import io.backfill.worker.persistence.ChangeStore;
import io.backfill.worker.persistence.ChangeStore.Version;
import io.backfill.worker.persistence.CompletedRunStore;
import io.backfill.worker.persistence.DocumentRow;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.persistence.EmbeddingStore;
import io.backfill.worker.persistence.GraphStore;
import io.backfill.worker.persistence.Jdbc;
import io.backfill.worker.persistence.SweepStore;
import io.backfill.worker.support.Runs;
import io.backfill.worker.support.ScriptedLlm;
import io.backfill.worker.support.Sql;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chunks of a followed mailbox: changed, unchanged, removed, moved and swept messages. */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class MailChangesTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Instant DAY1 = Instant.parse("2024-03-01T09:00:00Z");
  private static final Instant DAY2 = Instant.parse("2024-03-02T09:00:00Z");
  private static final Recipient ANN = new Recipient("Ann Lee", "ann@contoso.com");
  private static final Recipient BOB = new Recipient("Bob Roe", "bob@fabrikam.com");
  private static final Recipient DAN = new Recipient("Dan Poe", "dan@contoso.com");
  private static final Recipient EVE = new Recipient("Eve Ray", "eve@northwind.com");

  @Inject DocumentStore documents;
  @Inject GraphStore graphs;
  @Inject EmbeddingStore embeddings;
  @Inject CompletedRunStore completedRuns;
  @Inject ChangeStore changes;
  @Inject SweepStore sweeps;
  @Inject Jdbc jdbc;
  @Inject MeterRegistry metrics;
  @Inject RuleBasedExtractor rules;

  private TestProducer producer;
  private RecordTap results;
  private String tenant;
  private JobId job;

  @BeforeEach
  void setUp() {
    producer = new TestProducer(KafkaBroker.shared().bootstrapServers());
    results = RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.EXTRACTION_RESULTS);
    tenant = "changes-" + UUID.randomUUID();
    job = JobId.derive(tenant, UUID.randomUUID().toString());
  }

  @AfterEach
  void tearDown() {
    results.close();
    producer.close();
  }

  @Test
  void aChangedMessageReplacesItsDocumentMentionsAndEmbedding() {
    extract(history(1, message("m1", "A", "k1", ANN, BOB, "c1", DAY1, "Budget numbers")));
    MessageEmbedding before = embeddingsNow().get(0);

    ChunkExtracted second =
        extract(follow(2, List.of(message("m1", "A", "k2", ANN, EVE, "c1", DAY1, "Lunch?"))));

    assertThat(second.changes()).isEqualTo(new ChangeCounts(0, 1, 0, 0));
    assertThat(documentsNow())
        .singleElement()
        .satisfies(d -> assertThat(d.body()).isEqualTo("Lunch?"));
    assertThat(mentionsNow())
        .extracting(Mention::entityKey)
        .contains("person:eve@northwind.com")
        .doesNotContain("person:bob@fabrikam.com", "organisation:fabrikam.com");
    assertThat(entityKeys()).doesNotContain("person:bob@fabrikam.com", "organisation:fabrikam.com");
    assertThat(embeddingsNow())
        .singleElement()
        .satisfies(e -> assertThat(e.vector()).isNotEqualTo(before.vector()));
    assertThat(ScriptedLlm.messagesOf(second.runId().value())).containsExactly("m1");
    assertThat(versionsNow().get("m1")).isEqualTo(new Version(jobUuid(), 2, "A", "k2"));
    assertThat(orphanEntities()).isZero();
  }

  @Test
  void anUnchangedMessageIsNotExtractedAgainButMovesItsSeqAndFolder() {
    double unchangedBefore = changesCounter("unchanged");
    extract(history(1, message("m1", "A", "k1", ANN, BOB, "c1", DAY1, "Budget numbers")));

    ChunkExtracted second =
        extract(
            follow(2, List.of(message("m1", "B", "k1", ANN, BOB, "c1", DAY1, "Budget numbers"))));

    assertThat(second.changes()).isEqualTo(new ChangeCounts(0, 0, 1, 0));
    assertThat(second.embeddings()).isZero();
    // The LLM phase was never entered for the run: no call, no message handed to it.
    assertThat(ScriptedLlm.callOf(second.runId().value())).isNull();
    assertThat(ScriptedLlm.messagesOf(second.runId().value())).isEmpty();
    assertThat(documentsNow())
        .singleElement()
        .satisfies(d -> assertThat(d.extractionCount()).isEqualTo(1));
    assertThat(versionsNow().get("m1")).isEqualTo(new Version(jobUuid(), 2, "B", "k1"));
    await().atMost(WAIT).until(() -> changesCounter("unchanged") >= unchangedBefore + 1);

    // New and unchanged in one chunk: only the new one goes to the LLM.
    ChunkExtracted third =
        extract(
            follow(
                3,
                List.of(
                    message("m1", "B", "k1", ANN, BOB, "c1", DAY1, "Budget numbers"),
                    message("m2", "B", "k9", DAN, ANN, "c2", DAY2, "Hello"))));
    assertThat(third.changes()).isEqualTo(new ChangeCounts(1, 0, 1, 0));
    assertThat(ScriptedLlm.messagesOf(third.runId().value())).containsExactly("m2");
    assertThat(third.embeddings()).isEqualTo(1);
  }

  @Test
  void aRemovalDeletesTheDocumentAndOrphanedEntitiesButKeepsEntitiesMentionedElsewhere() {
    extract(
        history(
            1,
            message("m1", "A", "k1", ANN, BOB, "c1", DAY1, "Budget numbers"),
            message("m2", "A", "k2", ANN, DAN, "c2", DAY2, "Hello")));

    ChunkExtracted removal =
        extract(
            Chunk.ofFollowRound(
                tenant,
                job,
                2,
                1,
                List.of(),
                List.of(new RemovedMessage("m1", "A", RemovedMessage.DELETED)),
                null));

    assertThat(removal.changes()).isEqualTo(new ChangeCounts(0, 0, 0, 1));
    assertThat(documentsNow()).extracting(DocumentRow::messageId).containsExactly("m2");
    assertThat(mentionsNow()).extracting(Mention::messageId).containsOnly("m2");
    assertThat(embeddingsNow()).extracting(MessageEmbedding::messageId).containsExactly("m2");
    assertThat(relationshipMessages()).containsOnly("m2");
    // Only m1 named Bob, fabrikam.com, thread c1 and day 1; Ann and contoso.com are m2's too.
    assertThat(entityKeys())
        .containsExactlyInAnyOrder(
            "person:ann@contoso.com",
            "person:dan@contoso.com",
            "organisation:contoso.com",
            "thread:c2",
            "date:2024-03-02");
    assertThat(orphanEntities()).isZero();
  }

  @Test
  void aStaleUpdateDeliveredAfterADeleteDoesNotBringTheMessageBack() {
    extract(history(1, message("m1", "A", "k1", ANN, BOB, "c1", DAY1, "Budget numbers")));
    extract(
        Chunk.ofFollowRound(
            tenant,
            job,
            3,
            2,
            List.of(),
            List.of(new RemovedMessage("m1", "A", RemovedMessage.DELETED)),
            null));

    ChunkExtracted late =
        extract(follow(2, List.of(message("m1", "A", "k2", ANN, EVE, "c1", DAY1, "Late edit"))));

    assertThat(late.changes()).isEqualTo(new ChangeCounts(0, 0, 0, 0));
    assertThat(documentsNow()).isEmpty();
    assertThat(entityKeys()).isEmpty();
    assertThat(ScriptedLlm.messagesOf(late.runId().value())).isEmpty();
  }

  @Test
  void aDeleteOlderThanTheStoredVersionIsIgnored() {
    extract(history(1, message("m1", "A", "k1", ANN, BOB, "c1", DAY1, "Budget numbers")));
    extract(follow(3, List.of(message("m1", "A", "k2", ANN, EVE, "c1", DAY1, "Edited"))));

    ChunkExtracted late =
        extract(
            Chunk.ofFollowRound(
                tenant,
                job,
                2,
                1,
                List.of(),
                List.of(new RemovedMessage("m1", "A", RemovedMessage.DELETED)),
                null));

    assertThat(late.changes()).isEqualTo(new ChangeCounts(0, 0, 0, 0));
    assertThat(documentsNow())
        .singleElement()
        .satisfies(d -> assertThat(d.body()).isEqualTo("Edited"));
  }

  @Test
  void aMoveWithTheSameIdEndsInTheNewFolderInEitherOrder() {
    // The round lists folder B (message, seq 2) before folder A (removal, seq 3).
    MailMessage inA = message("m1", "A", "k1", ANN, BOB, "c1", DAY1, "Budget numbers");
    MailMessage inB = message("m1", "B", "k2", ANN, BOB, "c1", DAY1, "Budget numbers");
    Chunk removedFromA =
        Chunk.ofFollowRound(
            tenant,
            job,
            3,
            1,
            List.of(),
            List.of(new RemovedMessage("m1", "A", RemovedMessage.CHANGED)),
            null);

    extract(history(1, inA));
    extract(follow(2, List.of(inB)));
    ChunkExtracted removal = extract(removedFromA);
    assertThat(removal.changes().deleted()).isZero();
    assertThat(versionsNow()).containsOnlyKeys("m1");
    assertThat(versionsNow().get("m1").folderId()).isEqualTo("B");

    // The same for another tenant, removal first.
    tenant = "changes-" + UUID.randomUUID();
    job = JobId.derive(tenant, UUID.randomUUID().toString());
    extract(history(1, inA));
    ChunkExtracted removalFirst =
        extract(
            Chunk.ofFollowRound(
                tenant,
                job,
                3,
                1,
                List.of(),
                List.of(new RemovedMessage("m1", "A", RemovedMessage.CHANGED)),
                null));
    assertThat(removalFirst.changes().deleted()).isEqualTo(1);
    ChunkExtracted messageLast = extract(follow(2, List.of(inB)));
    assertThat(messageLast.changes()).isEqualTo(new ChangeCounts(1, 0, 0, 0));
    assertThat(versionsNow()).containsOnlyKeys("m1");
    assertThat(versionsNow().get("m1").folderId()).isEqualTo("B");
    assertThat(mentionsNow()).extracting(Mention::messageId).containsOnly("m1");
  }

  @Test
  void aMoveWithANewIdEndsInTheNewFolderInEitherOrder() {
    MailMessage inA = message("m1", "A", "k1", ANN, BOB, "c1", DAY1, "Budget numbers");
    MailMessage inB = message("m1-moved", "B", "k2", ANN, BOB, "c1", DAY1, "Budget numbers");
    for (boolean removalFirst : List.of(true, false)) {
      tenant = "changes-" + UUID.randomUUID();
      job = JobId.derive(tenant, UUID.randomUUID().toString());
      Chunk removal =
          Chunk.ofFollowRound(
              tenant,
              job,
              3,
              1,
              List.of(),
              List.of(new RemovedMessage("m1", "A", RemovedMessage.CHANGED)),
              null);
      extract(history(1, inA));
      if (removalFirst) {
        extract(removal);
        extract(follow(2, List.of(inB)));
      } else {
        extract(follow(2, List.of(inB)));
        extract(removal);
      }
      assertThat(documentsNow()).extracting(DocumentRow::messageId).containsExactly("m1-moved");
      assertThat(mentionsNow()).extracting(Mention::messageId).containsOnly("m1-moved");
      assertThat(orphanEntities()).isZero();
    }
  }

  @Test
  void aSweepAppliesOnlyOnceItsRangeIsCommittedAndRemovesExactlyTheFoldersUnseenDocuments() {
    extract(
        history(
            1,
            message("m1", "A", "k1", ANN, BOB, "c1", DAY1, "One"),
            message("m2", "A", "k2", ANN, BOB, "c1", DAY1, "Two"),
            message("m3", "A", "k3", EVE, DAN, "c3", DAY2, "Three"),
            message("m4", "B", "k4", ANN, BOB, "c1", DAY1, "Four")));

    // A fresh round of folder A lists m1 (seq 2) and m2 (seq 3, with the sweep); m3 is gone.
    Chunk second = follow(2, List.of(message("m1", "A", "k1", ANN, BOB, "c1", DAY1, "One")));
    Chunk third =
        Chunk.ofFollowRound(
            tenant,
            job,
            3,
            1,
            List.of(message("m2", "A", "k2", ANN, BOB, "c1", DAY1, "Two")),
            List.of(),
            new FolderSweep("A", 2));

    ChunkExtracted sweepChunk = extract(third);
    assertThat(sweepChunk.changes()).isEqualTo(new ChangeCounts(0, 0, 1, 0));
    assertThat(documentIds()).containsExactlyInAnyOrder("m1", "m2", "m3", "m4");
    assertThat(sweepApplied("A", 3)).isEmpty();
    // What backfill_worker_sweeps_pending shows (the gauge itself is not read here: after a
    // Quarkus restart in one test JVM the registry keeps the first application's gauge).
    assertThat(metrics.find("backfill_worker_sweeps_pending").gauge()).isNotNull();
    assertThat(pendingSweeps()).isGreaterThanOrEqualTo(1);

    ChunkExtracted completing = extract(second);
    assertThat(completing.changes()).isEqualTo(new ChangeCounts(0, 0, 1, 1));
    assertThat(documentIds()).containsExactlyInAnyOrder("m1", "m2", "m4");
    assertThat(sweepApplied("A", 3)).contains(1);
    // Eve, northwind.com, Dan's... only m3 named Eve, northwind.com, thread c3 and day 2.
    assertThat(entityKeys())
        .doesNotContain("person:eve@northwind.com", "organisation:northwind.com", "thread:c3")
        .contains("person:ann@contoso.com", "person:bob@fabrikam.com");
    assertThat(orphanEntities()).isZero();

    // Its chunk again (a replay after the completion was forgotten) changes nothing more.
    forgetCompletion(third);
    ChunkExtracted replay = extractAgain(third);
    assertThat(replay.changes()).isEqualTo(new ChangeCounts(0, 0, 0, 0));
    assertThat(documentIds()).containsExactlyInAnyOrder("m1", "m2", "m4");
  }

  @Test
  void anOrphanCleanupWaitsForAConcurrentMentionOfTheSameEntityAndKeepsIt() throws Exception {
    // Eve is named by m1 only; another chunk, still uncommitted, names her in m2.
    extract(history(1, message("m1", "A", "k1", ANN, EVE, "c1", DAY1, "One")));
    Chunk other = history(2, message("m2", "A", "k2", DAN, EVE, "c2", DAY2, "Two"));
    CountDownLatch otherWrote = new CountDownLatch(1);
    CountDownLatch otherCommits = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> adding =
          pool.submit(
              () ->
                  QuarkusTransaction.requiringNew()
                      .run(
                          () -> {
                            documents.upsertAll(other);
                            graphs.upsert(tenant, rules.extract(other));
                            otherWrote.countDown();
                            awaitLatch(otherCommits);
                          }));
      assertThat(otherWrote.await(30, TimeUnit.SECONDS)).isTrue();
      Future<Integer> removing =
          pool.submit(
              () ->
                  QuarkusTransaction.requiringNew()
                      .call(
                          () -> {
                            List<String> named = changes.entitiesMentionedBy(tenant, List.of("m1"));
                            changes.removeExtracted(tenant, List.of("m1"), true);
                            return changes.removeOrphans(tenant, named);
                          }));
      // The cleanup waits on Eve's row for the other transaction.
      await()
          .during(Duration.ofMillis(700))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !removing.isDone());
      otherCommits.countDown();
      adding.get(30, TimeUnit.SECONDS);
      removing.get(30, TimeUnit.SECONDS);
    } finally {
      otherCommits.countDown();
      pool.shutdownNow();
    }
    assertThat(entityKeys()).contains("person:eve@northwind.com", "organisation:northwind.com");
    assertThat(entityKeys()).doesNotContain("thread:c1", "date:2024-03-01");
    assertThat(orphanEntities()).isZero();
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never let the transaction commit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // --- fixtures

  private Chunk history(int seq, MailMessage... messages) {
    return Chunk.of(tenant, job, seq, List.of(messages), false);
  }

  private Chunk follow(int seq, List<MailMessage> messages) {
    return Chunk.ofFollowRound(tenant, job, seq, 1, messages, List.of(), null);
  }

  private static MailMessage message(
      String id,
      String folder,
      String changeKey,
      Recipient from,
      Recipient to,
      String conversation,
      Instant received,
      String body) {
    return new MailMessage(
        id,
        "<" + id + "@contoso.com>",
        conversation,
        "Subject of " + conversation,
        received,
        null,
        from,
        List.of(to),
        List.of(),
        body,
        false,
        folder,
        changeKey,
        received);
  }

  /** Publishes the chunk and returns its ChunkExtracted. */
  private ChunkExtracted extract(Chunk chunk) {
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
    return resultOf(chunk, 1);
  }

  private ChunkExtracted extractAgain(Chunk chunk) {
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
    return resultOf(chunk, 2);
  }

  private ChunkExtracted resultOf(Chunk chunk, int nth) {
    String run = chunk.runId().value();
    await().atMost(WAIT).until(() -> Runs.resultsOf(results, run).size() >= nth);
    return Runs.resultsOf(results, run).get(nth - 1);
  }

  private UUID jobUuid() {
    return UUID.fromString(job.value());
  }

  private double changesCounter(String kind) {
    return metrics.find("backfill_worker_changes_total").tag("kind", kind).counter().count();
  }

  @Transactional
  void forgetCompletion(Chunk chunk) {
    for (String table : List.of("completed_runs", "run_leases")) {
      Sql.update(jdbc, "DELETE FROM " + table + " WHERE run_id = ?", chunk.runId().value());
    }
  }

  @Transactional
  List<DocumentRow> documentsNow() {
    return documents.documentsOf(tenant, job);
  }

  List<String> documentIds() {
    return documentsNow().stream().map(DocumentRow::messageId).toList();
  }

  @Transactional
  List<Mention> mentionsNow() {
    return graphs.mentionsOf(tenant);
  }

  @Transactional
  List<String> entityKeys() {
    return graphs.entitiesOf(tenant).stream().map(Entity::key).toList();
  }

  @Transactional
  List<MessageEmbedding> embeddingsNow() {
    return embeddings.embeddingsOf(tenant);
  }

  @Transactional
  Map<String, Version> versionsNow() {
    return changes.liveVersions(tenant);
  }

  @Transactional
  java.util.Optional<Integer> sweepApplied(String folder, int untilSeq) {
    return sweeps.sweepDeleted(jobUuid(), folder, untilSeq);
  }

  @Transactional
  long pendingSweeps() {
    return sweeps.pendingSweeps();
  }

  /** Entities of the tenant that no mention names: must always be 0. */
  @Transactional
  long orphanEntities() {
    return Sql.number(
        jdbc,
        "SELECT count(*) FROM entities e WHERE e.tenant_id = ? AND NOT EXISTS"
            + " (SELECT 1 FROM mentions m WHERE m.tenant_id = e.tenant_id"
            + " AND m.entity_key = e.entity_key)",
        tenant);
  }

  /** The message ids of the tenant's relationships. */
  @Transactional
  List<String> relationshipMessages() {
    return graphs.relationshipsOf(tenant).stream().map(r -> r.messageId()).toList();
  }
}
