package io.backfill.worker.support;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * What a worker test sends and watches on the shared broker: a producer, the run events (and, when
 * asked, the extraction results) tapped from the test's start, and gates that hold scripted work
 * until the test opens them. Closing it opens every gate first, so a test that failed early leaves
 * no attempt waiting into the next test.
 */
public final class WorkerTraffic implements AutoCloseable {

  private final TestProducer producer;
  private final RecordTap runEvents;
  private final RecordTap results;
  private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();

  private WorkerTraffic(boolean withResults) {
    String servers = KafkaBroker.shared().bootstrapServers();
    this.producer = new TestProducer(servers);
    this.runEvents = RecordTap.open(servers, Topics.RUN_EVENTS);
    this.results = withResults ? RecordTap.open(servers, Topics.EXTRACTION_RESULTS) : null;
  }

  /** A producer and a tap on the run events. */
  public static WorkerTraffic open() {
    return new WorkerTraffic(false);
  }

  /** A producer and taps on the run events and the extraction results. */
  public static WorkerTraffic openWithResults() {
    return new WorkerTraffic(true);
  }

  public TestProducer producer() {
    return producer;
  }

  public RecordTap runEvents() {
    return runEvents;
  }

  /** The extraction results' tap; only when opened {@link #openWithResults with results}. */
  public RecordTap results() {
    if (results == null) {
      throw new IllegalStateException("opened without a tap on the extraction results");
    }
    return results;
  }

  /** A closed gate, opened by the test or at the latest when this closes. */
  public CountDownLatch gate() {
    CountDownLatch gate = new CountDownLatch(1);
    gates.add(gate);
    return gate;
  }

  /** Publishes the chunk to backfill.chunks, keyed as the fetcher keys it. */
  public RecordMetadata publish(Chunk chunk) {
    return producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
  }

  @Override
  public void close() {
    gates.forEach(CountDownLatch::countDown);
    producer.close();
    runEvents.close();
    if (results != null) {
      results.close();
    }
  }

  /**
   * The ledger's RetryDue for a chunk's run after the attempt that announced {@code previous}:
   * attempt {@code attemptNumber}, with {@code reason} (a retry, or {@link RetryDue#RESUMED}).
   */
  public static RetryDue retryDue(
      Chunk chunk, RunStarted previous, int attemptNumber, String reason) {
    return new RetryDue(
        UUID.randomUUID(),
        1,
        Instant.now(),
        chunk.tenantId(),
        chunk.jobId(),
        chunk.runId(),
        Lane.EXTRACT,
        previous.attemptId(),
        attemptNumber,
        reason,
        previous.chunk());
  }
}
