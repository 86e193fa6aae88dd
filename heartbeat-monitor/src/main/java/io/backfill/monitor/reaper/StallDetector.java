package io.backfill.monitor.reaper;

import io.backfill.contracts.event.RunStalled;
import io.backfill.contracts.event.TimeoutDiagnosis;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.persistence.OutboxStore;
import io.backfill.monitor.persistence.ReaperStore;
import io.backfill.monitor.persistence.ReaperStore.JudgedAttempt;
import io.backfill.monitor.persistence.ReaperStore.PerLane;
import io.backfill.monitor.persistence.RunRow;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Reports attempts whose heartbeats arrive (at least one since their progress last moved) but whose
 * progress stood still for the lane's stallAfter: RunStalled once per stall (again only after the
 * progress moved and stood still again), and a timeout with rule {@code stalled} where the lane
 * says so.
 */
@ApplicationScoped
public class StallDetector {

  private static final Logger LOG = Logger.getLogger(StallDetector.class);

  private final ReaperStore store;
  private final TimeoutSweep timeouts;
  private final OutboxStore outbox;
  private final MonitorConfig config;
  private final MeterRegistry metrics;

  StallDetector(
      ReaperStore store,
      TimeoutSweep timeouts,
      OutboxStore outbox,
      MonitorConfig config,
      MeterRegistry metrics) {
    this.store = store;
    this.timeouts = timeouts;
    this.outbox = outbox;
    this.config = config;
    this.metrics = metrics;
  }

  /** One batch of stalled attempts, in the caller's (new) transaction; returns how many. */
  public int reportStalls() {
    List<JudgedAttempt> stalled =
        store.lockStalledAttempts(
            new PerLane(
                config.fetch().stallAfter().toMillis(),
                config.follow().stallAfter().toMillis(),
                config.extract().stallAfter().toMillis()),
            config.reaper().batchSize());
    for (JudgedAttempt attempt : stalled) {
      RunRow run = attempt.run();
      MonitorConfig.LaneRules rules = config.lane(run.lane());
      store.markStalled(attempt.attemptId());
      outbox.append(
          Topics.RUN_CONTROL,
          run.runId().value(),
          new RunStalled(
              UUID.randomUUID(),
              1,
              Instant.now(),
              run.tenantId(),
              run.jobId(),
              run.runId(),
              new AttemptId(attempt.attemptId()),
              attempt.progress(),
              attempt.stalledForMs(),
              rules.stallAfter().toMillis()));
      metrics.counter("backfill_ledger_stalls_total", "lane", run.lane().wireName()).increment();
      LOG.warnf(
          "attempt %s of run %s (tenant %s, job %s, lane %s) stalled: progress %s unchanged for"
              + " %d ms while heartbeats arrive (worker %s, build %s)",
          attempt.attemptId(),
          run.runId(),
          run.tenantId(),
          run.jobId(),
          run.lane().wireName(),
          attempt.progress(),
          attempt.stalledForMs(),
          attempt.workerId(),
          attempt.buildSha());
      if (rules.timeoutWhenStalled()) {
        timeouts.timeOut(attempt, TimeoutDiagnosis.RULE_STALLED);
      }
    }
    return stalled.size();
  }
}
