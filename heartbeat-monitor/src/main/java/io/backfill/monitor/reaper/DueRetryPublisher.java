package io.backfill.monitor.reaper;

import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.persistence.OutboxStore;
import io.backfill.monitor.persistence.ReaperStore;
import io.backfill.monitor.persistence.ReaperStore.DueRetry;
import io.backfill.monitor.persistence.RunRow;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * Publishes retries that are due as RetryDue through the outbox, unless their run has a running
 * attempt again (then the retry is moot and cancelled).
 */
@ApplicationScoped
public class DueRetryPublisher {

  /** What one batch did. */
  public record Outcome(int published, int cancelled) {}

  private final ReaperStore store;
  private final OutboxStore outbox;
  private final MonitorConfig config;
  private final MeterRegistry metrics;

  DueRetryPublisher(
      ReaperStore store, OutboxStore outbox, MonitorConfig config, MeterRegistry metrics) {
    this.store = store;
    this.outbox = outbox;
    this.config = config;
    this.metrics = metrics;
  }

  /** One batch of due retries, in the caller's (new) transaction. */
  public Outcome publishDueRetries() {
    int published = 0;
    int cancelled = 0;
    for (DueRetry due : store.lockDueRetries(config.reaper().batchSize())) {
      RunRow run = due.run();
      store.settleRetry(
          run.runId().value(), due.attemptNumber(), due.runningAgain() ? "cancelled" : "published");
      if (due.runningAgain()) {
        cancelled++;
        metrics
            .counter("backfill_ledger_retries_deduped_total", "lane", run.lane().wireName())
            .increment();
        continue;
      }
      outbox.append(
          Topics.RUN_CONTROL,
          run.runId().value(),
          new RetryDue(
              UUID.randomUUID(),
              1,
              Instant.now(),
              run.tenantId(),
              run.jobId(),
              run.runId(),
              run.lane(),
              new AttemptId(due.retryOf()),
              due.attemptNumber(),
              due.reason(),
              run.lane() == Lane.EXTRACT ? run.chunk() : null));
      metrics
          .counter("backfill_ledger_retries_due_total", "lane", run.lane().wireName())
          .increment();
      published++;
    }
    return new Outcome(published, cancelled);
  }
}
