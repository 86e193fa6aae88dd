package io.backfill.monitor.messaging;

import io.backfill.contracts.deadletter.DeadLetterText;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.retry.Backoff;
import io.backfill.contracts.retry.TransientFailures;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.lifecycle.JobEventsCatchUp;
import io.backfill.monitor.lifecycle.JobLifecycle;
import io.backfill.monitor.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code job.events} (its own group) into {@link JobLifecycle}: the monitor learns every
 * job at JobAccepted and follows its pause, cancel, resume and end. A record that is not a job
 * event goes to {@code job.events.dlq} with its reason; job events of other types are ignored. A
 * transient database failure is retried with the shared backoff ({@code ingest.*} keys); a record
 * that still cannot be applied is dead-lettered with the reason. The handler never fails the
 * channel, so one record cannot stop the consumer.
 */
@ApplicationScoped
public class JobEventsConsumer {

  private static final Logger LOG = Logger.getLogger(JobEventsConsumer.class);

  private final JobLifecycle lifecycle;
  private final JobEventsCatchUp catchUp;
  private final OutboxRelay relay;
  private final MonitorConfig config;
  private final MeterRegistry metrics;
  private final DeadLetters deadLetters;
  private final MutinyEmitter<String> dlq;
  private volatile boolean shuttingDown;

  JobEventsConsumer(
      JobLifecycle lifecycle,
      JobEventsCatchUp catchUp,
      OutboxRelay relay,
      MonitorConfig config,
      MeterRegistry metrics,
      DeadLetters deadLetters,
      @Channel("job-events-dead-letters") MutinyEmitter<String> dlq) {
    this.lifecycle = lifecycle;
    this.catchUp = catchUp;
    this.relay = relay;
    this.config = config;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
    this.dlq = dlq;
  }

  void shuttingDown(@Observes ShutdownEvent shutdown) {
    shuttingDown = true;
  }

  @Incoming("job-events")
  @Blocking(ordered = true)
  public CompletionStage<Void> onJobEvent(KafkaRecord<String, String> record) {
    CompletionStage<Void> handled = handle(record);
    record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .ifPresent(meta -> catchUp.processed(meta.getPartition(), meta.getOffset()));
    return handled;
  }

  private CompletionStage<Void> handle(KafkaRecord<String, String> record) {
    long offset =
        record
            .getMetadata(IncomingKafkaRecordMetadata.class)
            .map(metadata -> metadata.getOffset())
            .orElse(-1L);
    DeadLetters.Source source =
        new DeadLetters.Source(
            Topics.JOB_EVENTS, record.getPartition(), offset, record.getKey(), record.getPayload());
    JobEvent event;
    try {
      event = EventJson.fromJson(record.getPayload(), JobEvent.class);
    } catch (RuntimeException e) {
      String reason =
          DeadLetterText.truncate(e.getMessage() == null ? e.getClass().getName() : e.getMessage());
      metrics.counter("backfill_monitor_job_events_failures_total", "kind", "poison").increment();
      LOG.errorf(
          "job.events record %d@%d (key %s) is not a job event; it goes to job.events.dlq: %s",
          record.getPartition(), offset, record.getKey(), reason);
      deadLetters.send(dlq, source, reason, null);
      return record.ack();
    }
    if (!JobLifecycle.tracks(event)) {
      return record.ack();
    }
    try {
      JobLifecycle.Outcome outcome = applyWithRetries(event, record.getPartition(), offset);
      if (outcome == JobLifecycle.Outcome.APPLIED) {
        // A resume may have written RetryDue rows: publish them now, not at the relay's next poll.
        relay.wake();
      }
    } catch (RuntimeException e) {
      if (shuttingDown) {
        // Not acknowledged: read again after the restart (applying is idempotent on eventId).
        LOG.infof(
            "job.events record %d@%d not applied: the application is stopping (%s)",
            record.getPartition(), offset, e.toString());
        return CompletableFuture.completedFuture(null);
      }
      metrics.counter("backfill_monitor_job_events_failures_total", "kind", "record").increment();
      LOG.errorf(
          e,
          "job.events record %d@%d (%s %s, tenant %s, job %s) not applied; it goes to"
              + " job.events.dlq: %s",
          record.getPartition(),
          offset,
          event.getClass().getSimpleName(),
          event.eventId(),
          event.tenantId(),
          event.jobId(),
          e.getMessage());
      deadLetters.send(dlq, source, String.valueOf(e.getMessage()), e);
    }
    return record.ack();
  }

  private JobLifecycle.Outcome applyWithRetries(JobEvent event, int partition, long offset) {
    Backoff backoff = RunEventsConsumer.ingestBackoff(config);
    for (int attempt = 1; ; attempt++) {
      try {
        return lifecycle.apply(event);
      } catch (RuntimeException e) {
        if (!TransientFailures.isTransient(e) || !backoff.allows(attempt) || shuttingDown) {
          throw e;
        }
        long waitMs = backoff.delay(attempt).toMillis();
        metrics.counter("backfill_monitor_job_events_retries_total").increment();
        LOG.warnf(
            "job.events record %d@%d (job %s, tenant %s): transient database failure, try %d in"
                + " %d ms: %s",
            partition, offset, event.jobId(), event.tenantId(), attempt + 1, waitMs, e.toString());
        try {
          Thread.sleep(waitMs);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
