package io.backfill.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.support.Mail;
import io.backfill.worker.support.Runs;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A record whose dead-letter copy cannot be sent is logged, counted and skipped, and the consumer
 * goes on. Here the chunks' dead-letter producer is made too small on purpose (4 KiB), so the
 * broker's client refuses the copy of a 16 KiB poison record.
 */
@QuarkusTest
@TestProfile(DeadLetterFailureTest.TinyDeadLetterProducer.class)
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DeadLetterFailureTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  /** A chunks dead-letter producer that refuses records over 4 KiB. */
  public static class TinyDeadLetterProducer implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      // Embeddings off: the tokenizer's native library can be loaded by one application only.
      return Map.of(
          "mp.messaging.incoming.backfill-chunks.dead-letter-queue.max.request.size",
          "4096",
          "backfill.worker.embedding.enabled",
          "false");
    }
  }

  @Inject MeterRegistry metrics;

  @Test
  void aRecordThatCannotBeDeadLetteredIsCountedAndSkippedAndTheNextChunkIsExtracted() {
    String servers = KafkaBroker.shared().bootstrapServers();
    String tenant = "dlq-failure-" + UUID.randomUUID();
    Chunk chunk = Chunk.of(tenant, JobId.derive(tenant, "job"), 1, Mail.messages(2), false);
    String run = chunk.runId().value();
    byte[] poison = new byte[16 * 1024];
    Arrays.fill(poison, (byte) '#');
    double before = failures();
    try (TestProducer producer = new TestProducer(servers);
        RecordTap runEvents = RecordTap.open(servers, Topics.RUN_EVENTS)) {
      // One key: one partition, the valid chunk behind the record that cannot be dead-lettered.
      producer.sendRaw(Topics.BACKFILL_CHUNKS, chunk.key(), poison);
      producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));

      await().atMost(WAIT).until(() -> failures() == before + 1);
      await()
          .atMost(WAIT)
          .until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
    }
    assertThat(failures()).isEqualTo(before + 1);
    given().get("/q/health/ready").then().statusCode(200);
  }

  private double failures() {
    return metrics
        .find("backfill_worker_dead_letter_failures_total")
        .tag("topic", Topics.BACKFILL_CHUNKS)
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}
