package io.backfill.monitor.messaging;

import io.backfill.contracts.deadletter.DeadLetterText;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.retry.Backoff;
import io.backfill.contracts.retry.TransientFailures;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.domain.IngestRecord;
import io.backfill.monitor.domain.RunLedger;
import io.backfill.monitor.reaper.LedgerCatchUp;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code run.events} into the ledger, one batch of polled records per transaction
 * (docs/decisions/0016-batch-ingest-and-transient-failures.md).
 *
 * <ul>
 *   <li>A record that is not a valid run event is dead-lettered to {@code run.events.dlq} with its
 *       reason once the batch committed; the rest of the batch is applied.
 *   <li>A transient database failure (connection lost, deadlock, serialization, restart) retries
 *       the whole batch with backoff, {@code backfill.monitor.ingest.transient-tries} times.
 *   <li>Any other failure of the batch is isolated: the records are applied one by one, and the one
 *       that cannot be applied is dead-lettered with the reason, logged once with its ids.
 * </ul>
 *
 * If the database stays unreachable beyond the retries, the batch is nacked to the channel's
 * failure strategy.
 */
@ApplicationScoped
public class RunEventsConsumer {

  private static final Logger LOG = Logger.getLogger(RunEventsConsumer.class);

  private final RunLedger ledger;
  private final LedgerCatchUp catchUp;
  private final MonitorConfig config;
  private final MeterRegistry metrics;
  private final MutinyEmitter<String> deadLetters;
  private final DeadLetters deadLetterSender;
  private volatile boolean shuttingDown;

  RunEventsConsumer(
      RunLedger ledger,
      LedgerCatchUp catchUp,
      MonitorConfig config,
      MeterRegistry metrics,
      DeadLetters deadLetterSender,
      @Channel("run-events-dead-letters") MutinyEmitter<String> deadLetters) {
    this.deadLetterSender = deadLetterSender;
    this.ledger = ledger;
    this.catchUp = catchUp;
    this.config = config;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
  }

  void shuttingDown(@Observes ShutdownEvent shutdown) {
    shuttingDown = true;
  }

  @Incoming("run-events")
  @Blocking
  public CompletionStage<Void> onRunEvents(KafkaRecordBatch<String, String> batch) {
    List<IngestRecord> records = new ArrayList<>();
    for (KafkaRecord<String, String> record : batch) {
      records.add(decode(record));
    }
    if (records.isEmpty()) {
      return batch.ack();
    }
    try {
      RunLedger.BatchOutcome outcome = withTransientRetries(() -> ledger.apply(records), records);
      outcome.poison().forEach(poison -> deadLetter(poison, poison.poisonReason(), null));
    } catch (RuntimeException e) {
      if (shuttingDown) {
        return notAppliedAtShutdown(records, e);
      }
      if (TransientFailures.isTransient(e)) {
        LOG.errorf(
            e,
            "run.events batch of %d records (%s) not applied: the database failed %d times;"
                + " nacked to the channel's failure strategy",
            records.size(),
            range(records),
            config.ingest().transientTries());
        metrics.counter("backfill_ledger_ingest_failures_total", "kind", "transient").increment();
        return batch.nack(e);
      }
      // A record the ledger cannot apply (not the database): find it, apply the others.
      LOG.debugf(e, "run.events batch %s failed; applying its records one by one", range(records));
      try {
        records.forEach(this::applyAlone);
      } catch (RuntimeException stopped) {
        if (shuttingDown) {
          return notAppliedAtShutdown(records, stopped);
        }
        throw stopped;
      }
    }
    // Applied, fenced or dead-lettered: either way the ledger has read these records.
    records.forEach(r -> catchUp.processed(r.partition(), r.offset()));
    return batch.ack();
  }

  /**
   * The application stops while a batch is in flight (its beans are going away): the batch is
   * neither acknowledged nor dead-lettered, so its offsets are not committed and the next start
   * reads it again (applying it is idempotent).
   */
  private CompletionStage<Void> notAppliedAtShutdown(List<IngestRecord> records, Exception e) {
    LOG.infof(
        "run.events batch %s not applied: the application is stopping (%s); it is read again"
            + " after the restart",
        range(records), e.toString());
    return CompletableFuture.completedFuture(null);
  }

  private void applyAlone(IngestRecord record) {
    try {
      RunLedger.BatchOutcome outcome =
          withTransientRetries(() -> ledger.apply(List.of(record)), List.of(record));
      outcome.poison().forEach(poison -> deadLetter(poison, poison.poisonReason(), null));
    } catch (RuntimeException e) {
      if (TransientFailures.isTransient(e) || shuttingDown) {
        throw e;
      }
      RunEvent event = record.event();
      LOG.errorf(
          e,
          "run.events record %s (tenant %s, job %s, run %s, attempt %s) not applied; it goes to"
              + " run.events.dlq: %s",
          record.coordinates(),
          event.tenantId(),
          event.jobId(),
          event.runId(),
          event.attemptId(),
          e.getMessage());
      metrics.counter("backfill_ledger_ingest_failures_total", "kind", "record").increment();
      deadLetter(record, String.valueOf(e.getMessage()), e);
    }
  }

  /**
   * Runs the ledger transaction again while it fails transiently, waiting as the shared {@link
   * Backoff} says (full jitter, doubling ceiling capped at {@code ingest.max-retry-backoff}).
   */
  private <T> T withTransientRetries(Supplier<T> transaction, List<IngestRecord> records) {
    Backoff backoff = ingestBackoff(config);
    for (int attempt = 1; ; attempt++) {
      try {
        return transaction.get();
      } catch (RuntimeException e) {
        if (!TransientFailures.isTransient(e) || !backoff.allows(attempt)) {
          throw e;
        }
        long backoffMs = backoff.delay(attempt).toMillis();
        metrics.counter("backfill_ledger_ingest_retries_total").increment();
        LOG.warnf(
            "run.events batch %s (%d records): transient database failure, try %d of %d in %d"
                + " ms: %s",
            range(records),
            records.size(),
            attempt + 1,
            config.ingest().transientTries(),
            backoffMs,
            e.toString());
        sleep(backoffMs);
      }
    }
  }

  /** The ingest's retry backoff from its config keys: tries include the first one. */
  static Backoff ingestBackoff(MonitorConfig config) {
    MonitorConfig.Ingest ingest = config.ingest();
    Duration cap =
        ingest.maxRetryBackoff().compareTo(ingest.retryBackoff()) < 0
            ? ingest.retryBackoff()
            : ingest.maxRetryBackoff();
    return Backoff.of(ingest.retryBackoff(), 2.0, cap, Math.max(0, ingest.transientTries() - 1));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry", interrupted);
    }
  }

  private IngestRecord decode(KafkaRecord<String, String> record) {
    if (record.getPayload() == null) {
      return new IngestRecord(
          null,
          record.getKey(),
          null,
          record.getPartition(),
          offset(record),
          "tombstone: a run event record must have a value");
    }
    try {
      RunEvent event = EventJson.fromJson(record.getPayload(), RunEvent.class);
      return new IngestRecord(
          event, record.getKey(), record.getPayload(), record.getPartition(), offset(record), null);
    } catch (RuntimeException e) {
      return new IngestRecord(
          null,
          record.getKey(),
          record.getPayload(),
          record.getPartition(),
          offset(record),
          DeadLetterText.truncate(
              e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
    }
  }

  /** Publishes the record to run.events.dlq with its reason, awaiting the ack (or skips it). */
  private void deadLetter(IngestRecord record, String reason, Throwable cause) {
    if (cause == null) {
      // Poison records are logged here, once, with what can be known of them.
      LOG.errorf(
          "run.events record %s is not a valid run event; it goes to run.events.dlq: %s",
          record.coordinates(), DeadLetterText.truncate(reason));
      metrics.counter("backfill_ledger_ingest_failures_total", "kind", "poison").increment();
    }
    deadLetterSender.send(
        deadLetters,
        new DeadLetters.Source(
            Topics.RUN_EVENTS, record.partition(), record.offset(), record.key(), record.value()),
        reason,
        cause);
  }

  private static long offset(KafkaRecord<String, String> record) {
    return record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(metadata -> metadata.getOffset())
        .orElse(-1L);
  }

  private static String range(List<IngestRecord> records) {
    IngestRecord first = records.get(0);
    IngestRecord last = records.get(records.size() - 1);
    return first.partition() + "@" + first.offset() + ".." + last.partition() + "@" + last.offset();
  }
}
