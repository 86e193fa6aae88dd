package io.backfill.gateway.messaging;

import io.backfill.contracts.deadletter.DeadLetterText;
import io.backfill.contracts.retry.TransientFailures;
import io.backfill.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
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

  private final EntityManager em;
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
      EntityManager em, EventPublisher publisher, GatewayConfig config, MeterRegistry metrics) {
    this.em = em;
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
        if (config.relayEnabled()) {
          publishPending();
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
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT o.id, o.topic, o.record_key, o.payload, o.event_id, o.event_type,"
                    + " o.tenant_id, o.job_id, o.attempts,"
                    + " (SELECT min(e.id) FROM outbox e"
                    + "   WHERE e.topic = o.topic AND e.record_key = o.record_key) AS first_of_key"
                    + " FROM outbox o ORDER BY o.id LIMIT :batch FOR UPDATE OF o SKIP LOCKED")
            .setParameter("batch", config.batchSize())
            .getResultList();
    long deadline = System.nanoTime() + config.batchBudget().toNanos();
    Set<Long> locked = new HashSet<>();
    rows.forEach(row -> locked.add(((Number) row[0]).longValue()));
    Set<String> waiting = new HashSet<>();
    int published = 0;
    int failed = 0;
    for (Object[] row : rows) {
      long id = ((Number) row[0]).longValue();
      String topic = (String) row[1];
      String key = (String) row[2];
      String keyOfTopic = topic + "\u0000" + key;
      long firstOfKey = ((Number) row[9]).longValue();
      if (waiting.contains(keyOfTopic)) {
        continue;
      }
      if (firstOfKey < id && !locked.contains(firstOfKey)) {
        // An earlier row of this key is another instance's, in flight: it goes first.
        waiting.add(keyOfTopic);
        continue;
      }
      if (System.nanoTime() > deadline) {
        return new Round(rows.size(), published, failed, true);
      }
      if (publish(id, topic, key, row)) {
        published++;
      } else {
        failed++;
        waiting.add(keyOfTopic);
      }
    }
    return new Round(rows.size(), published, failed, false);
  }

  private boolean publish(long id, String topic, String key, Object[] row) {
    String payload = (String) row[3];
    UUID eventId = (UUID) row[4];
    String type = (String) row[5];
    String tenantId = (String) row[6];
    UUID jobId = (UUID) row[7];
    int attempts = ((Number) row[8]).intValue();
    MDC.put("tenantId", tenantId);
    MDC.put("jobId", String.valueOf(jobId));
    try {
      publisher.publishJson(topic, key, payload, type + " " + eventId);
      em.createNativeQuery("DELETE FROM outbox WHERE id = :id")
          .setParameter("id", id)
          .executeUpdate();
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
          type, eventId, tenantId, jobId, topic, attempts + 1, e.getMessage());
      em.createNativeQuery(
              "UPDATE outbox SET attempts = attempts + 1, last_error = :error WHERE id = :id")
          .setParameter("error", DeadLetterText.truncate(e.getMessage()))
          .setParameter("id", id)
          .executeUpdate();
      return false;
    } finally {
      MDC.remove("tenantId");
      MDC.remove("jobId");
    }
  }

  private void refreshGauges() {
    Object[] state =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    (Object[])
                        em.createNativeQuery(
                                "SELECT count(*),"
                                    + " coalesce(extract(epoch FROM now() - min(created_at)), 0)"
                                    + " FROM outbox")
                            .getSingleResult());
    pending.set(((Number) state[0]).longValue());
    oldestAgeMillis.set(Math.round(((Number) state[1]).doubleValue() * 1000));
  }
}
