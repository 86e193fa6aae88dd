package io.backfill.worker;

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
import io.backfill.worker.embedding.MessageEmbedder;
import io.backfill.worker.support.Runs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Throughput of this machine, not a test (tag {@code benchmark}, excluded from the build): the
 * in-process embeddings alone, then whole chunks through the worker (broker → rules → embeddings →
 * one transaction → ChunkExtracted) for a tenant without an LLM key. Run with {@code mvn -B verify
 * -Pbenchmark -Dtest=ExtractionThroughputBenchmark}; writes {@code
 * target/extraction-throughput.txt}. Parameters: system properties {@code bench.chunks} (20),
 * {@code bench.messages} (100 per chunk), {@code bench.body} (2000 characters).
 */
@Tag("benchmark")
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ExtractionThroughputBenchmark {

  private static final Instant RECEIVED = Instant.parse("2024-03-01T09:00:00Z");

  @Inject MessageEmbedder embedder;

  @Test
  void measure() throws IOException {
    int chunks = Integer.getInteger("bench.chunks", 20);
    int perChunk = Integer.getInteger("bench.messages", 100);
    int bodyChars = Integer.getInteger("bench.body", 2000);
    StringBuilder report = new StringBuilder();
    report.append(
        String.format(
            Locale.ROOT,
            "machine: %d cores, load average at start %s%n",
            Runtime.getRuntime().availableProcessors(),
            loadAverage()));

    // Embeddings alone: warm up once, then one chunk's worth of messages, three times.
    embedder.embed(messages("warm", 32, bodyChars), done -> {});
    List<MailMessage> sample = messages("embed", perChunk, bodyChars);
    long start = System.nanoTime();
    int embedded = 0;
    for (int round = 0; round < 3; round++) {
      embedded += embedder.embed(sample, done -> {}).size();
    }
    double embedSeconds = (System.nanoTime() - start) / 1e9;
    report.append(
        String.format(
            Locale.ROOT,
            "embeddings alone: %d messages (%d-char bodies) in %.2f s = %.1f embeddings/s%n",
            embedded,
            bodyChars,
            embedSeconds,
            embedded / embedSeconds));
    System.out.print(report);

    // Whole chunks through the worker.
    String servers = KafkaBroker.shared().bootstrapServers();
    String tenant = "bench-" + UUID.randomUUID();
    JobId job = JobId.derive(tenant, UUID.randomUUID().toString());
    try (TestProducer producer = new TestProducer(servers);
        RecordTap results = RecordTap.open(servers, Topics.EXTRACTION_RESULTS)) {
      List<Chunk> all = new ArrayList<>();
      for (int seq = 1; seq <= chunks; seq++) {
        all.add(Chunk.of(tenant, job, seq, messages(tenant + seq, perChunk, bodyChars), false));
      }
      start = System.nanoTime();
      for (Chunk chunk : all) {
        producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
      }
      Awaitility.await()
          .atMost(Duration.ofMinutes(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  all.stream()
                      .allMatch(c -> !Runs.resultsOf(results, c.runId().value()).isEmpty()));
      double seconds = (System.nanoTime() - start) / 1e9;
      report.append(
          String.format(
              Locale.ROOT,
              "chunks end to end: %d chunks x %d messages (%d-char bodies, no LLM key) in %.2f s ="
                  + " %.2f chunks/s, %.1f messages (and embeddings)/s%n",
              chunks,
              perChunk,
              bodyChars,
              seconds,
              chunks / seconds,
              chunks * perChunk / seconds));
    }
    report.append(String.format(Locale.ROOT, "load average at end %s%n", loadAverage()));
    System.out.print(report);
    System.out.flush();
    Files.writeString(Path.of("target", "extraction-throughput.txt"), report.toString());
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static List<MailMessage> messages(String prefix, int count, int bodyChars) {
    String words =
        "the quarterly budget review moved to thursday please send the revised figures and the"
            + " vendor contract before the steering meeting ";
    List<MailMessage> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StringBuilder body = new StringBuilder("Message " + i + " of " + prefix + ". ");
      while (body.length() < bodyChars) {
        body.append(words);
      }
      messages.add(
          new MailMessage(
              "AAMk-" + prefix + "-" + i,
              "<" + prefix + "." + i + "@contoso.com>",
              "conv-" + prefix + "-" + (i / 5),
              (i % 5 == 0 ? "" : "RE: ") + "Budget " + (i / 5),
              RECEIVED.plus(i, ChronoUnit.MINUTES),
              null,
              new Recipient("Ann Lee " + (i % 7), "ann" + (i % 7) + "@contoso.com"),
              List.of(new Recipient("Bob Roe", "bob@fabrikam.com")),
              i % 2 == 0 ? List.of() : List.of(new Recipient("Cy", "cy@gmail.com")),
              body.substring(0, bodyChars),
              false));
    }
    return messages;
  }
}
