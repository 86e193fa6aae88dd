package io.backfill.monitor.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import io.backfill.contracts.serde.EventJson;
import io.backfill.kit.kafka.KafkaClients;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.persistence.OutboxStore;
import io.backfill.monitor.persistence.OutboxStore.OutboxRow;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox ({@code run.control}, {@code backfill.chunks.dlq}, later {@code job.events})
 * to Kafka: rows in id order, each send acknowledged by all in-sync replicas, then the rows are
 * deleted in the same transaction that locked them. A crash after the sends and before the commit
 * publishes them again on the next pass — at-least-once; consumers dedup on {@code eventId}.
 *
 * <p>Order per key with N replicas: a pass runs only while holding a transaction-scoped advisory
 * lock, so one relay publishes at a time and a later row of a key can never overtake an earlier one
 * held by another replica (docs/decisions/0007-run-ledger-outbox-and-reaper.md). The idempotent
 * producer keeps order within a pass, across its own retries.
 */
@ApplicationScoped
public class OutboxRelay {

  private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

  private final OutboxStore outbox;
  private final MonitorConfig config;
  private final MeterRegistry metrics;
  private final KafkaClients kafka;
  private final AtomicLong backlog = new AtomicLong();
  private KafkaProducer<String, String> producer;
  private ExecutorService executor;
  private volatile boolean suspended;
  private volatile boolean running;
  // Released by wake(): the relay's loop waits on it with the interval as the upper bound.
  private final Semaphore wakeUps = new Semaphore(0);

  OutboxRelay(OutboxStore outbox, MonitorConfig config, MeterRegistry metrics, KafkaClients kafka) {
    this.outbox = outbox;
    this.config = config;
    this.metrics = metrics;
    this.kafka = kafka;
    // A gauge reads the object it was first registered with: replace one left by an earlier
    // instance (Quarkus tests restart the application in one JVM) so it reads this one.
    metrics.find("backfill_outbox_backlog_rows").meters().forEach(metrics::remove);
    Gauge.builder("backfill_outbox_backlog_rows", backlog, AtomicLong::get)
        .description("Outbox rows left after the last relay pass")
        .strongReference(true)
        .register(metrics);
  }

  void start(@Observes StartupEvent startup) {
    // A pass sends many rows and waits for all: a few ms of batching, within the ack timeout.
    producer = kafka.producer("heartbeat-monitor-outbox", config.relay().ackTimeout(), 5);
    executor =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "outbox-relay");
              thread.setDaemon(true);
              return thread;
            });
    running = true;
    executor.execute(this::loop);
  }

  /** Passes until shutdown: after each interval, or at once when {@link #wake()} was called. */
  private void loop() {
    long intervalMs = config.relay().interval().toMillis();
    while (running) {
      try {
        wakeUps.tryAcquire(intervalMs, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      // Wake-ups that came while waiting or during the last pass are all served by this pass.
      wakeUps.drainPermits();
      if (!running) {
        return;
      }
      drain();
    }
  }

  /**
   * Asks for a pass now rather than after the interval: called once outbox rows were committed (the
   * reaper's timeouts), so detection is not delayed by the relay's poll.
   */
  public void wake() {
    wakeUps.release();
  }

  void stop(@Observes ShutdownEvent shutdown) {
    running = false;
    wakeUps.release();
    if (executor != null) {
      // Let a pass in progress finish while the database and Kafka clients are still open.
      executor.shutdown();
      try {
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        executor.shutdownNow();
      }
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }

  /** Stops publishing; rows wait in the outbox (operations, and tests that cut the relay). */
  public void suspend() {
    suspended = true;
  }

  /** Publishes again from the next pass on. */
  public void resume() {
    suspended = false;
  }

  private void drain() {
    if (suspended) {
      return;
    }
    try {
      int published;
      do {
        published = QuarkusTransaction.requiringNew().call(this::publishBatch);
      } while (published == config.relay().batchSize() && !suspended);
    } catch (RuntimeException e) {
      // The rows stay in the outbox and are sent again on the next pass (duplicates are
      // dropped by consumers on eventId).
      metrics.counter("backfill_outbox_publish_failures_total").increment();
      LOG.errorf(e, "outbox relay pass failed; the rows stay and are retried: %s", e.getMessage());
    }
  }

  /**
   * One pass in the caller's transaction: lock the oldest rows, send them, wait for every
   * acknowledgement, delete them. Returns the rows published (0 when another replica relays).
   */
  public int publishBatch() {
    if (!outbox.tryRelayLock()) {
      return 0;
    }
    List<OutboxRow> rows = outbox.lockOldest(config.relay().batchSize());
    if (rows.isEmpty()) {
      backlog.set(0);
      return 0;
    }
    List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
    List<Long> ids = new ArrayList<>(rows.size());
    for (OutboxRow row : rows) {
      ids.add(row.id());
      ProducerRecord<String, String> record =
          new ProducerRecord<>(row.topic(), row.key(), row.payload());
      headers(row.headers())
          .forEach(
              (name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
      acks.add(producer.send(record));
    }
    long deadline = System.nanoTime() + config.relay().ackTimeout().toNanos();
    for (int i = 0; i < acks.size(); i++) {
      awaitAck(acks.get(i), ids.get(i), deadline);
    }
    outbox.delete(ids);
    metrics.counter("backfill_outbox_published_total").increment(rows.size());
    backlog.set(outbox.backlog());
    return rows.size();
  }

  private static void awaitAck(Future<RecordMetadata> ack, long id, long deadline) {
    try {
      ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("outbox row " + id + " was not acknowledged", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("outbox row " + id + " not acknowledged in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for outbox row " + id, e);
    }
  }

  private static Map<String, String> headers(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return EventJson.mapper().readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (IOException e) {
      throw new IllegalStateException("outbox headers are not a JSON object: " + json, e);
    }
  }
}
