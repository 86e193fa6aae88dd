package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.persistence.EmbeddingStore;
import io.backfill.worker.support.LlmStandIns;
import io.backfill.worker.support.Mail;
import io.backfill.worker.support.Runs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's benchmark modes, both on in one application (one restart instead of two): sequential
 * mode (one attempt, one message, one LLM call at a time) and embeddings switched off. The LLM is
 * the outlook-simulator with 300 ms of latency per call for this tenant's model, behind a proxy
 * that counts the calls in flight at once; LlmStandIns allows two calls at once and the worker four
 * attempts, which sequential mode must override.
 */
@QuarkusTest
@TestProfile(WorkerModesTest.Modes.class)
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = LlmStandIns.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class WorkerModesTest {

  /** Sequential mode and no embeddings. */
  public static class Modes implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "backfill.worker.sequential",
          "true",
          "backfill.worker.embedding.enabled",
          "false",
          // A chunk now waits for the one attempt slot for as long as the attempt before it runs.
          "mp.messaging.incoming.backfill-chunks.throttled.unprocessed-record-max-age.ms",
          "60000");
    }
  }

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String TENANT = "t-sequential";

  @Inject MeterRegistry metrics;
  @Inject DocumentStore documents;
  @Inject EmbeddingStore embeddings;

  private TestProducer producer;
  private RecordTap runEvents;
  private RecordTap results;

  @BeforeEach
  void setUp() {
    String servers = KafkaBroker.shared().bootstrapServers();
    producer = new TestProducer(servers);
    runEvents = RecordTap.open(servers, Topics.RUN_EVENTS);
    results = RecordTap.open(servers, Topics.EXTRACTION_RESULTS);
  }

  @AfterEach
  void tearDown() {
    producer.close();
    runEvents.close();
    results.close();
  }

  @Test
  void sequentialModeRunsOneAttemptAtATimeAndNeverTwoLlmCallsAtOnce() {
    Chunk first = chunk(TENANT, 6);
    Chunk second = chunk(TENANT, 6);
    Timer calls = metrics.find("backfill_worker_llm_call").timer();
    long callsBefore = calls.count();

    // Both at once: four attempts and two calls at once would run them side by side.
    producer.send(Topics.BACKFILL_CHUNKS, first.key(), EventJson.toJson(first));
    producer.send(Topics.BACKFILL_CHUNKS, second.key(), EventJson.toJson(second));
    for (Chunk chunk : List.of(first, second)) {
      String run = chunk.runId().value();
      await()
          .atMost(WAIT)
          .until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
      ChunkExtracted extracted = Runs.resultsOf(results, run).get(0);
      assertThat(extracted.llm().status()).isEqualTo(LlmStatus.OK);
      assertThat(extracted.llm().calls()).isEqualTo(6);
    }

    // One attempt at a time: the second starts only after the first completed.
    List<Window> windows = List.of(window(first), window(second));
    Window earlier =
        windows.get(0).start().isBefore(windows.get(1).start()) ? windows.get(0) : windows.get(1);
    Window later = earlier == windows.get(0) ? windows.get(1) : windows.get(0);
    assertThat(later.start()).isAfterOrEqualTo(earlier.end());

    assertThat(calls.count() - callsBefore).isEqualTo(12);
    // One call at a time: the proxy in front of the simulator never saw two at once.
    assertThat(peakCallsAtOnce()).isEqualTo(1);
  }

  @Test
  void withEmbeddingsDisabledNoVectorIsStoredOrReported() {
    String tenant = "t-noembed-" + UUID.randomUUID().toString().substring(0, 8);
    JobId job = JobId.derive(tenant, UUID.randomUUID().toString());
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(4), false);
    double embeddedBefore = metrics.counter("backfill_worker_embeddings_total").count();

    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));

    String run = chunk.runId().value();
    await().atMost(WAIT).until(() -> !Runs.resultsOf(results, run).isEmpty());
    ChunkExtracted extracted = Runs.resultsOf(results, run).get(0);
    assertThat(extracted.messages()).isEqualTo(4);
    assertThat(extracted.entities()).isPositive();
    assertThat(extracted.embeddings()).isZero();
    assertThat(documentsOf(tenant, job)).isEqualTo(4);
    assertThat(embeddingsOf(tenant)).isZero();
    assertThat(metrics.counter("backfill_worker_embeddings_total").count())
        .isEqualTo(embeddedBefore);
  }

  /** When an attempt was announced and when it reported completion (both stamped by the worker). */
  record Window(Instant start, Instant end) {}

  private Window window(Chunk chunk) {
    String run = chunk.runId().value();
    List<RunStarted> started = Runs.eventsOf(runEvents, run, RunStarted.class);
    List<RunCompleted> completed = Runs.eventsOf(runEvents, run, RunCompleted.class);
    assertThat(started).hasSize(1);
    assertThat(completed).hasSize(1);
    return new Window(started.get(0).occurredAt(), completed.get(0).occurredAt());
  }

  private static Chunk chunk(String tenant, int messages) {
    return Chunk.of(
        tenant,
        JobId.derive(tenant, UUID.randomUUID().toString()),
        1,
        Mail.messages(messages),
        false);
  }

  private int peakCallsAtOnce() {
    String url =
        ConfigProvider.getConfig().getValue("backfill.test.gateway-url", String.class)
            + "/llm-proxy/peak";
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return Integer.parseInt(response.body().trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Transactional
  long documentsOf(String tenant, JobId job) {
    return documents.documentsOf(tenant, job).size();
  }

  @Transactional
  long embeddingsOf(String tenant) {
    return embeddings.embeddingsOf(tenant).size();
  }
}
