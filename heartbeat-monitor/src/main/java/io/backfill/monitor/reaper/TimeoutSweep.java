package io.backfill.monitor.reaper;

import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.event.TimeoutDiagnosis;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.domain.RetryPlanner;
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
 * Times out attempts that stopped heartbeating or ran past their lane's hard deadline, a batch per
 * transaction: marked timed_out with their diagnosis, their retry decided and the outbox rows
 * written together, so a crash in between loses nothing and duplicates nothing.
 *
 * <p>Staleness is judged per attempt from its own declared interval, {@code staleAfter = max(lane
 * floor, 3 × heartbeatIntervalMs)}, on the ledger's receive times. An attempt that declared
 * interval 0 is judged by the hard deadline only.
 */
@ApplicationScoped
public class TimeoutSweep {

  private static final Logger LOG = Logger.getLogger(TimeoutSweep.class);

  private final ReaperStore store;
  private final RetryPlanner planner;
  private final OutboxStore outbox;
  private final MonitorConfig config;
  private final MeterRegistry metrics;

  TimeoutSweep(
      ReaperStore store,
      RetryPlanner planner,
      OutboxStore outbox,
      MonitorConfig config,
      MeterRegistry metrics) {
    this.store = store;
    this.planner = planner;
    this.outbox = outbox;
    this.config = config;
    this.metrics = metrics;
  }

  /** One batch of dead attempts timed out, in the caller's (new) transaction; returns how many. */
  public int timeOutDeadAttempts() {
    MonitorConfig.LaneRules fetch = config.fetch();
    MonitorConfig.LaneRules extract = config.extract();
    MonitorConfig.LaneRules follow = config.follow();
    List<JudgedAttempt> dead =
        store.lockDeadAttempts(
            new PerLane(
                fetch.staleFloor().toMillis(),
                follow.staleFloor().toMillis(),
                extract.staleFloor().toMillis()),
            new PerLane(
                fetch.hardDeadline().toMillis(),
                follow.hardDeadline().toMillis(),
                extract.hardDeadline().toMillis()),
            config.reaper().batchSize());
    for (JudgedAttempt attempt : dead) {
      timeOut(attempt, null);
    }
    return dead.size();
  }

  /**
   * Times out a locked running attempt and decides its retry; {@code forcedRule} null means the
   * rule follows from its ages (stale or deadline).
   */
  public void timeOut(JudgedAttempt attempt, String forcedRule) {
    RunRow run = attempt.run();
    MonitorConfig.LaneRules rules = config.lane(run.lane());
    long intervalMs = attempt.heartbeatIntervalMs();
    long heartbeatAgeMs = attempt.heartbeatAgeMs();
    Long staleAfterMs =
        intervalMs > 0 ? Math.max(rules.staleFloor().toMillis(), 3 * intervalMs) : null;
    String rule =
        forcedRule != null
            ? forcedRule
            : staleAfterMs != null && heartbeatAgeMs > staleAfterMs
                ? TimeoutDiagnosis.RULE_STALE
                : TimeoutDiagnosis.RULE_DEADLINE;
    TimeoutDiagnosis diagnosis =
        new TimeoutDiagnosis(
            rule,
            run.lane(),
            heartbeatAgeMs,
            attempt.attemptAgeMs(),
            staleAfterMs,
            attempt.progress(),
            attempt.workerId(),
            attempt.buildSha());
    UUID attemptId = attempt.attemptId();
    store.markTimedOut(attemptId, rule, diagnosisJson(diagnosis));
    outbox.append(
        Topics.RUN_CONTROL,
        run.runId().value(),
        new RunTimedOut(
            UUID.randomUUID(),
            1,
            Instant.now(),
            run.tenantId(),
            run.jobId(),
            run.runId(),
            new AttemptId(attemptId),
            attempt.number(),
            diagnosis));
    metrics
        .counter("backfill_ledger_timeouts_total", "lane", run.lane().wireName(), "rule", rule)
        .increment();
    LOG.warnf(
        "timed out attempt %s (#%d) of run %s (tenant %s, job %s, lane %s) by rule %s: last"
            + " heartbeat %d ms ago (staleAfter %s ms), running for %d ms, worker %s, build %s",
        attemptId,
        attempt.number(),
        run.runId(),
        run.tenantId(),
        run.jobId(),
        run.lane().wireName(),
        rule,
        heartbeatAgeMs,
        staleAfterMs,
        attempt.attemptAgeMs(),
        attempt.workerId(),
        attempt.buildSha());
    planner.afterUnsuccessfulAttempt(run, attemptId, "timed out (" + rule + ")", true, null);
  }

  private static String diagnosisJson(TimeoutDiagnosis diagnosis) {
    try {
      return EventJson.mapper().writeValueAsString(diagnosis);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("could not write the timeout diagnosis", e);
    }
  }
}
