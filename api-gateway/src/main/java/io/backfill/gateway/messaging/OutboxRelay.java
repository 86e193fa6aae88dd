package io.backfill.gateway.messaging;

import io.backfill.contracts.deadletter.DeadLetterText;
import io.backfill.contracts.retry.TransientFailures;
import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.persistence.OutboxStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Publishes the outbox: each round locks up to {@code batch-size} stored rows in id order with
 * {@code FOR UPDATE SKIP LOCKED}, publishes them one by one (each send awaits the broker's ack,
 * acks=all, within the publish timeout) and deletes each published row, then commits. Rows another
 * instance has locked are skipped, so two relays never publish the same row at the same time.
 *
 * <p>Order per key: a row is published only after every earlier row of its (topic, key). When an
 * earlier row of the key is locked by another instance, or failed to publish in this round, the
 * key's later rows wait for a later round.
 *
 * <p>At least once: a relay that dies after the broker acknowledged a row but before its delete
 * committed leaves the row stored, and it is published again. Both topics' consumers tolerate that:
 * the fetcher derives the job id from (tenant, requestId) and stores a job once, and a repeated
 * command carries the same event id and asks for the state the job is already in.
 *
 * <p>The relay runs on its own thread: woken right after a commit that stored a row ({@link
 * #wake()}), else every {@code poll-interval}. The same thread refreshes the gauges {@code
 * backfill_gateway_outbox_pending} and {@code backfill_gateway_outbox_oldest_age_seconds}, also
 * when the relay is disabled.
 */
@ApplicationScoped
public class OutboxRelay {

  private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

  /** How many rows one round published, and whether it left some for a later round. */
  record Round(int locked, int published, int failed, boolean outOfTime) {}

  private final OutboxStore store;
  private final EventPublisher publisher;
  private final GatewayConfig.Outbox config;
  private final MeterRegistry metrics;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong oldestAgeMillis = new AtomicLong();
  private final Semaphore wakeUps = new Semaphore(0);
  private volatile boolean running;
  private Thread thread;
  private boolean failing;

  OutboxRelay(
      OutboxStore store, EventPublisher publisher, GatewayConfig config, MeterRegistry metrics) {
    this.store = store;
    this.publisher = publisher;
    this.config = config.outbox();
    this.metrics = metrics;
  }

  void start(@Observes StartupEvent startup) {
    Gauge.builder("backfill_gateway_outbox_pending", pending, AtomicLong::get)
        .description("Rows of the outbox not yet published")
        .register(metrics);
    Gauge.builder(
            "backfill_gateway_outbox_oldest_age_seconds",
            oldestAgeMillis,
            millis -> millis.get() / 1000.0)
        .description("Age of the oldest row of the outbox not yet published; 0 when none is")
        .register(metrics);
    running = true;
    thread = new Thread(this::loop, "outbox-relay");
    thread.setDaemon(true);
    thread.start();
    LOG.infof(
        "outbox relay %s (poll every %s, batches of %d)",
        config.relayEnabled() ? "started" : "disabled: stored rows wait for another instance",
        config.pollInterval(),
        config.batchSize());
  }

  void stop(@Observes ShutdownEvent shutdown) {
    running = false;
    wakeUps.release();
    if (thread != null) {
      try {
        thread.join(config.batchBudget().plus(publisher.timeout()).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Publishes soon: a transaction that stored a row has committed. */
  public void wake() {
    wakeUps.release();
  }

  private void loop() {
    while (running) {
      try {
        refreshGauges();
        // Read again only when rows went out: an idle round leaves the backlog as just read (a row
        // stored meanwhile wakes the relay, and the next round reads it).
        if (config.relayEnabled() && publishPending() > 0) {
          refreshGauges();
        }
        if (failing) {
          failing = false;
          LOG.info("outbox relay: the database answers again");
        }
      } catch (RuntimeException e) {
        metrics.counter("backfill_gateway_outbox_relay_failures_total").increment();
        // A database that is down fails every poll: logged when it starts, counted every time.
        if (!failing) {
          failing = true;
          LOG.errorf(
              e,
              "outbox relay: a round failed (%s); stored rows stay stored and are retried every %s:"
                  + " %s",
              TransientFailures.isTransient(e) ? "transient" : "not transient",
              config.pollInterval(),
              e.getMessage());
        }
      }
      try {
        wakeUps.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        wakeUps.drainPermits();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Publishes stored rows until none is left that this instance may publish now, or a round ran out
   * of its time; returns how many it published. Public so that a test can stand for another gateway
   * instance whose relay is on.
   */
  public int publishPending() {
    int published = 0;
    int timeoutSeconds =
        (int) config.batchBudget().plus(publisher.timeout()).plusSeconds(10).toSeconds();
    while (true) {
      Round round = QuarkusTransaction.requiringNew().timeout(timeoutSeconds).call(this::round);
      published += round.published();
      if (round.outOfTime() || round.failed() > 0 || round.locked() < config.batchSize()) {
        return published;
      }
    }
  }

  private Round round() {
    List<OutboxStore.LockedRow> rows = store.lockOldest(config.batchSize());
    long deadline = System.nanoTime() + config.batchBudget().toNanos();
    Set<Long> locked = new HashSet<>();
    rows.forEach(row -> locked.add(row.id()));
    Set<String> waiting = new HashSet<>();
    int published = 0;
    int failed = 0;
    for (OutboxStore.LockedRow row : rows) {
      long id = row.id();
      String keyOfTopic = row.topic() + "\u0000" + row.recordKey();
      if (waiting.contains(keyOfTopic)) {
        continue;
      }
      if (row.firstOfKey() < id && !locked.contains(row.firstOfKey())) {
        // An earlier row of this key is another instance's, in flight: it goes first.
        waiting.add(keyOfTopic);
        continue;
      }
      if (System.nanoTime() > deadline) {
        return new Round(rows.size(), published, failed, true);
      }
      if (publish(row)) {
        published++;
      } else {
        failed++;
        waiting.add(keyOfTopic);
      }
    }
    return new Round(rows.size(), published, failed, false);
  }

  private boolean publish(OutboxStore.LockedRow row) {
    String topic = row.topic();
    UUID eventId = row.eventId();
    String type = row.eventType();
    String tenantId = row.tenantId();
    UUID jobId = row.jobId();
    MDC.put("tenantId", tenantId);
    MDC.put("jobId", String.valueOf(jobId));
    try {
      publisher.publishJson(topic, row.recordKey(), row.payload(), type + " " + eventId);
      store.delete(row.id());
      metrics.counter("backfill_gateway_outbox_published_total", "topic", topic).increment();
      LOG.debugf(
          "published %s %s of tenant %s (job %s) from the outbox to %s",
          type, eventId, tenantId, jobId, topic);
      return true;
    } catch (EventPublisher.PublishFailedException e) {
      metrics.counter("backfill_gateway_outbox_publish_failures_total", "topic", topic).increment();
      LOG.errorf(
          "%s %s of tenant %s (job %s) not published to %s (try %d); it stays in the outbox and"
              + " is retried: %s",
          type, eventId, tenantId, jobId, topic, row.attempts() + 1, e.getMessage());
      store.recordFailure(row.id(), DeadLetterText.truncate(e.getMessage()));
      return false;
    } finally {
      MDC.remove("tenantId");
      MDC.remove("jobId");
    }
  }

  private void refreshGauges() {
    OutboxStore.Backlog backlog = QuarkusTransaction.requiringNew().call(store::backlog);
    pending.set(backlog.pending());
    oldestAgeMillis.set(Math.round(backlog.oldestAgeSeconds() * 1000));
  }
}
