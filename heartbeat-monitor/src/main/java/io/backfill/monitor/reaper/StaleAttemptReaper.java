package io.backfill.monitor.reaper;

import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.lifecycle.OrphanReaper;
import io.backfill.monitor.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * One reaper sweep: time out dead attempts ({@link TimeoutSweep}), report stalls ({@link
 * StallDetector}), publish due retries ({@link DueRetryPublisher}), then re-drive orphaned jobs,
 * each in batches of ONE transaction. The batches lock their rows with {@code FOR UPDATE SKIP
 * LOCKED}, so N monitor replicas share the work and never judge the same attempt twice.
 *
 * <p>Nothing is judged while the ledger is behind on {@code run.events} ({@link LedgerCatchUp}). A
 * sweep that finds nothing logs nothing. Each committed batch that wrote outbox rows wakes the
 * relay, so they are published now rather than after its next poll.
 */
@ApplicationScoped
public class StaleAttemptReaper {

  private static final Logger LOG = Logger.getLogger(StaleAttemptReaper.class);

  private final TimeoutSweep timeouts;
  private final StallDetector stalls;
  private final DueRetryPublisher retries;
  private final OrphanReaper orphanReaper;
  private final LedgerCatchUp catchUp;
  private final OutboxRelay relay;
  private final ReaperGauges gauges;
  private final MonitorConfig config;
  private final MeterRegistry metrics;
  private volatile boolean waitingLogged;

  StaleAttemptReaper(
      TimeoutSweep timeouts,
      StallDetector stalls,
      DueRetryPublisher retries,
      OrphanReaper orphanReaper,
      LedgerCatchUp catchUp,
      OutboxRelay relay,
      ReaperGauges gauges,
      MonitorConfig config,
      MeterRegistry metrics) {
    this.timeouts = timeouts;
    this.stalls = stalls;
    this.retries = retries;
    this.orphanReaper = orphanReaper;
    this.catchUp = catchUp;
    this.relay = relay;
    this.gauges = gauges;
    this.config = config;
    this.metrics = metrics;
  }

  /** What one sweep did. */
  public record Sweep(boolean waited, int timedOut, int retriesPublished, int retriesCancelled) {}

  /**
   * One sweep: unless the ledger is behind, time out every dead attempt (in batches) and publish
   * the due retries. Safe to call concurrently, from any number of replicas.
   */
  public Sweep sweep() {
    Timer.Sample sample = gauges.sweepStarted();
    try {
      if (catchUp.isBehind()) {
        metrics.counter("backfill_reaper_waits_total").increment();
        if (!waitingLogged) {
          waitingLogged = true;
          LOG.infof("reaper waits: the ledger is behind on run.events (%s)", catchUp.describe());
        }
        return new Sweep(true, 0, 0, 0);
      }
      if (waitingLogged) {
        waitingLogged = false;
        LOG.info("reaper resumes: the ledger caught up with run.events");
      }
      int timedOut = inBatches(timeouts::timeOutDeadAttempts);
      inBatches(stalls::reportStalls);
      int published = 0;
      int cancelled = 0;
      DueRetryPublisher.Outcome step;
      do {
        step = QuarkusTransaction.requiringNew().call(retries::publishDueRetries);
        published += step.published();
        cancelled += step.cancelled();
        if (step.published() > 0) {
          relay.wake();
        }
      } while (step.published() + step.cancelled() == config.reaper().batchSize());
      // Jobs nothing works on: after the timeouts and retries above, which may answer them.
      inBatches(orphanReaper::redriveOrphans);
      metrics.counter("backfill_reaper_attempts_timed_out_total").increment(timedOut);
      gauges.countAttemptsWhenDue();
      return new Sweep(false, timedOut, published, cancelled);
    } finally {
      gauges.sweepEnded(sample);
    }
  }

  /**
   * Runs {@code batch} in a new transaction each time until one comes back short of a full batch,
   * waking the relay after each that did something; returns the total.
   */
  private int inBatches(IntSupplier batch) {
    int total = 0;
    int done;
    do {
      done = QuarkusTransaction.requiringNew().call(batch::getAsInt);
      total += done;
      // Committed: publish them now, not after the relay's next poll (detection latency).
      if (done > 0) {
        relay.wake();
      }
    } while (done == config.reaper().batchSize());
    return total;
  }
}
