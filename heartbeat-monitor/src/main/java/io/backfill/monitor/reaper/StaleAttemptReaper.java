package io.backfill.monitor.reaper;

import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunStalled;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.event.TimeoutDiagnosis;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.domain.RetryPlanner;
import io.backfill.monitor.lifecycle.OrphanReaper;
import io.backfill.monitor.outbox.OutboxRelay;
import io.backfill.monitor.persistence.LedgerStore;
import io.backfill.monitor.persistence.OutboxStore;
import io.backfill.monitor.persistence.RunRow;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Times out attempts that stopped heartbeating or ran past their lane's hard deadline, and
 * publishes retries that are due. Each batch is ONE transaction: the attempts are locked with
 * {@code FOR UPDATE SKIP LOCKED} (so N monitor replicas share the work and never judge the same
 * attempt twice), marked timed_out with their diagnosis, their retry decided, and the outbox rows
 * written — a crash anywhere in between loses nothing and duplicates nothing (LESSONS 23, 24).
 *
 * <p>Staleness is judged per attempt from its own declared interval, {@code staleAfter = max(lane
 * floor, 3 × heartbeatIntervalMs)}, on the ledger's receive times. An attempt that declared
 * interval 0 is judged by the hard deadline only (LESSONS 22). Nothing is judged while the ledger
 * is behind on {@code run.events} ({@link LedgerCatchUp}). A sweep that finds nothing logs nothing
 * (LESSONS 19).
 */
@ApplicationScoped
public class StaleAttemptReaper {

  private static final Logger LOG = Logger.getLogger(StaleAttemptReaper.class);

  private final EntityManager em;
  private final RetryPlanner planner;
  private final OutboxStore outbox;
  private final LedgerCatchUp catchUp;
  private final OutboxRelay relay;
  private final OrphanReaper orphanReaper;
  private final MonitorConfig config;
  private final MeterRegistry metrics;
  private final Timer sweepTimer;
  private final AtomicLong lastSweepEpochSeconds = new AtomicLong();
  private volatile boolean waitingLogged;
  private final Map<String, AtomicLong> attemptsByState = new ConcurrentHashMap<>();
  private volatile long statsCountedAtNanos;

  StaleAttemptReaper(
      EntityManager em,
      RetryPlanner planner,
      OutboxStore outbox,
      LedgerCatchUp catchUp,
      OutboxRelay relay,
      OrphanReaper orphanReaper,
      MonitorConfig config,
      MeterRegistry metrics) {
    this.orphanReaper = orphanReaper;
    this.em = em;
    this.planner = planner;
    this.outbox = outbox;
    this.catchUp = catchUp;
    this.relay = relay;
    this.config = config;
    this.metrics = metrics;
    this.sweepTimer =
        Timer.builder("backfill_reaper_sweep_duration")
            .description("Time one reaper sweep took")
            .publishPercentiles(0.5, 0.99)
            .register(metrics);
    // The reaper's own heartbeat: alert when this stops moving.
    // A gauge reads the object it was first registered with: replace one left by an earlier
    // instance (Quarkus tests restart the application in one JVM) so it reads this one.
    metrics.find("backfill_reaper_last_sweep_seconds").meters().forEach(metrics::remove);
    Gauge.builder("backfill_reaper_last_sweep_seconds", lastSweepEpochSeconds, AtomicLong::get)
        .description("Epoch seconds of the last reaper sweep")
        .strongReference(true)
        .register(metrics);
    registerAttemptGauges();
  }

  private static final List<String> ATTEMPT_STATES =
      List.of("running", "completed", "failed", "timed_out", "superseded", "fenced", "stopped");

  private void registerAttemptGauges() {
    metrics.find("backfill_ledger_attempts").meters().forEach(metrics::remove);
    for (String state : ATTEMPT_STATES) {
      AtomicLong count = attemptsByState.computeIfAbsent(state, s -> new AtomicLong());
      Gauge.builder("backfill_ledger_attempts", count, AtomicLong::get)
          .description("Attempts in the ledger by state, recounted every stats-interval")
          .tag("state", state)
          .strongReference(true)
          .register(metrics);
    }
  }

  /** Recounts attempts by state when stats-interval has passed since the last count. */
  private void countAttemptsWhenDue() {
    long now = System.nanoTime();
    if (statsCountedAtNanos != 0
        && now - statsCountedAtNanos < config.reaper().statsInterval().toNanos()) {
      return;
    }
    statsCountedAtNanos = now;
    @SuppressWarnings("unchecked")
    List<Object[]> counts =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    em.createNativeQuery("SELECT state, count(*) FROM attempts GROUP BY state")
                        .getResultList());
    ATTEMPT_STATES.forEach(state -> attemptsByState.get(state).set(0));
    for (Object[] row : counts) {
      AtomicLong gauge = attemptsByState.get((String) row[0]);
      if (gauge != null) {
        gauge.set(((Number) row[1]).longValue());
      }
    }
  }

  /** What one sweep did. */
  public record Sweep(boolean waited, int timedOut, int retriesPublished, int retriesCancelled) {}

  /**
   * One sweep: unless the ledger is behind, time out every dead attempt (in batches) and publish
   * the due retries. Safe to call concurrently, from any number of replicas.
   */
  public Sweep sweep() {
    Timer.Sample sample = Timer.start(metrics);
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
      int timedOut = 0;
      int batch;
      do {
        batch = QuarkusTransaction.requiringNew().call(this::timeOutDeadAttempts);
        timedOut += batch;
        // Committed: publish them now, not after the relay's next poll (detection latency).
        if (batch > 0) {
          relay.wake();
        }
      } while (batch == config.reaper().batchSize());
      int stalls;
      do {
        stalls = QuarkusTransaction.requiringNew().call(this::reportStalls);
        if (stalls > 0) {
          relay.wake();
        }
      } while (stalls == config.reaper().batchSize());
      int[] retries = {0, 0};
      int[] step;
      do {
        step = QuarkusTransaction.requiringNew().call(this::publishDueRetries);
        retries[0] += step[0];
        retries[1] += step[1];
        if (step[0] > 0) {
          relay.wake();
        }
      } while (step[0] + step[1] == config.reaper().batchSize());
      // Jobs nothing works on: after the timeouts and retries above, which may answer them.
      int orphans;
      do {
        orphans = QuarkusTransaction.requiringNew().call(orphanReaper::redriveOrphans);
        if (orphans > 0) {
          relay.wake();
        }
      } while (orphans == config.reaper().batchSize());
      metrics.counter("backfill_reaper_attempts_timed_out_total").increment(timedOut);
      countAttemptsWhenDue();
      return new Sweep(false, timedOut, retries[0], retries[1]);
    } finally {
      lastSweepEpochSeconds.set(Instant.now().getEpochSecond());
      metrics.counter("backfill_reaper_sweeps_total").increment();
      sample.stop(sweepTimer);
    }
  }

  /**
   * One batch of dead attempts, in the caller's (new) transaction. The WHERE clause is checked
   * again on the locked row version, so a heartbeat that committed a moment ago saves its attempt.
   *
   * <p>The first condition on {@code a} alone (older than the smallest floor, or than the smallest
   * deadline) is implied by the per-lane rule after it; it lets Postgres drop live attempts before
   * the join with runs instead of joining all running attempts (README, Performance).
   */
  public int timeOutDeadAttempts() {
    MonitorConfig.LaneRules fetch = config.fetch();
    MonitorConfig.LaneRules extract = config.extract();
    MonitorConfig.LaneRules follow = config.follow();
    @SuppressWarnings("unchecked")
    List<Object[]> dead =
        em.createNativeQuery(
                """
                SELECT a.attempt_id, a.number, a.worker_id, a.build_sha, a.heartbeat_interval_ms,
                       (extract(epoch FROM now() - a.last_heartbeat_at) * 1000)::bigint,
                       (extract(epoch FROM now() - a.started_at) * 1000)::bigint,
                       a.progress_done, a.progress_total, a.progress_phase,
                       r.run_id, r.lane, r.tenant_id, r.job_id, r.state, r.attempts,
                       r.chunk_topic, r.chunk_partition, r.chunk_offset
                FROM attempts a JOIN runs r ON r.run_id = a.run_id
                WHERE a.state = 'running'
                  AND (a.last_heartbeat_at < now() - :minFloorMs * interval '1 millisecond'
                    OR a.started_at < now() - :minDeadlineMs * interval '1 millisecond')
                  AND ((a.heartbeat_interval_ms > 0
                        AND a.last_heartbeat_at < now() - GREATEST(
                              CASE r.lane WHEN 'fetch' THEN :fetchFloorMs
                                WHEN 'follow' THEN :followFloorMs ELSE :extractFloorMs END,
                              3 * a.heartbeat_interval_ms) * interval '1 millisecond')
                    OR a.started_at < now()
                        - CASE r.lane WHEN 'fetch' THEN :fetchDeadlineMs
                            WHEN 'follow' THEN :followDeadlineMs ELSE :extractDeadlineMs END
                          * interval '1 millisecond')
                ORDER BY a.last_heartbeat_at
                LIMIT :batch
                FOR UPDATE OF a, r SKIP LOCKED
                """)
            .setParameter(
                "minFloorMs",
                Math.min(
                    Math.min(fetch.staleFloor().toMillis(), extract.staleFloor().toMillis()),
                    follow.staleFloor().toMillis()))
            .setParameter(
                "minDeadlineMs",
                Math.min(
                    Math.min(fetch.hardDeadline().toMillis(), extract.hardDeadline().toMillis()),
                    follow.hardDeadline().toMillis()))
            .setParameter("fetchFloorMs", fetch.staleFloor().toMillis())
            .setParameter("extractFloorMs", extract.staleFloor().toMillis())
            .setParameter("followFloorMs", follow.staleFloor().toMillis())
            .setParameter("fetchDeadlineMs", fetch.hardDeadline().toMillis())
            .setParameter("extractDeadlineMs", extract.hardDeadline().toMillis())
            .setParameter("followDeadlineMs", follow.hardDeadline().toMillis())
            .setParameter("batch", config.reaper().batchSize())
            .getResultList();
    for (Object[] row : dead) {
      timeOut(row, null);
    }
    return dead.size();
  }

  /**
   * Times out the attempt of a row of the timeout (or stall) query; {@code forcedRule} null means
   * the rule is read from the row (stale or deadline).
   */
  private void timeOut(Object[] row, String forcedRule) {
    UUID attemptId = (UUID) row[0];
    int number = ((Number) row[1]).intValue();
    long intervalMs = ((Number) row[4]).longValue();
    long heartbeatAgeMs = ((Number) row[5]).longValue();
    long attemptAgeMs = ((Number) row[6]).longValue();
    RunRow run = LedgerStore.runRow(Arrays.copyOfRange(row, 10, 19));
    MonitorConfig.LaneRules rules = config.lane(run.lane());
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
            attemptAgeMs,
            staleAfterMs,
            progress(row),
            (String) row[2],
            (String) row[3]);
    em.createNativeQuery(
            """
            UPDATE attempts SET state = 'timed_out', ended_at = now(), timeout_rule = :rule,
                                timeout_diagnosis = :diagnosis
            WHERE attempt_id = :attempt
            """)
        .setParameter("rule", rule)
        .setParameter("diagnosis", diagnosisJson(diagnosis))
        .setParameter("attempt", attemptId)
        .executeUpdate();
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
            number,
            diagnosis));
    metrics
        .counter("backfill_ledger_timeouts_total", "lane", run.lane().wireName(), "rule", rule)
        .increment();
    LOG.warnf(
        "timed out attempt %s (#%d) of run %s (tenant %s, job %s, lane %s) by rule %s: last"
            + " heartbeat %d ms ago (staleAfter %s ms), running for %d ms, worker %s, build %s",
        attemptId,
        number,
        run.runId(),
        run.tenantId(),
        run.jobId(),
        run.lane().wireName(),
        rule,
        heartbeatAgeMs,
        staleAfterMs,
        attemptAgeMs,
        row[2],
        row[3]);
    planner.afterUnsuccessfulAttempt(run, attemptId, "timed out (" + rule + ")", true, null);
  }

  /**
   * Attempts whose heartbeats arrive (at least one since their progress last moved) but whose
   * progress stood still for the lane's stallAfter, in the caller's (new) transaction: RunStalled
   * once per stall, and a timeout with rule {@code stalled} where the lane says so.
   */
  public int reportStalls() {
    @SuppressWarnings("unchecked")
    List<Object[]> stalled =
        em.createNativeQuery(
                """
                SELECT a.attempt_id, a.number, a.worker_id, a.build_sha, a.heartbeat_interval_ms,
                       (extract(epoch FROM now() - a.last_heartbeat_at) * 1000)::bigint,
                       (extract(epoch FROM now() - a.started_at) * 1000)::bigint,
                       a.progress_done, a.progress_total, a.progress_phase,
                       r.run_id, r.lane, r.tenant_id, r.job_id, r.state, r.attempts,
                       r.chunk_topic, r.chunk_partition, r.chunk_offset,
                       (extract(epoch FROM now() - a.progress_changed_at) * 1000)::bigint
                FROM attempts a JOIN runs r ON r.run_id = a.run_id
                WHERE a.state = 'running' AND a.heartbeat_interval_ms > 0
                  AND a.last_heartbeat_at > a.progress_changed_at
                  AND a.progress_changed_at < now()
                      - CASE r.lane WHEN 'fetch' THEN :fetchStallMs
                          WHEN 'follow' THEN :followStallMs ELSE :extractStallMs END
                        * interval '1 millisecond'
                  AND (a.stalled_at IS NULL OR a.stalled_at < a.progress_changed_at)
                LIMIT :batch
                FOR UPDATE OF a, r SKIP LOCKED
                """)
            .setParameter("fetchStallMs", config.fetch().stallAfter().toMillis())
            .setParameter("extractStallMs", config.extract().stallAfter().toMillis())
            .setParameter("followStallMs", config.follow().stallAfter().toMillis())
            .setParameter("batch", config.reaper().batchSize())
            .getResultList();
    for (Object[] row : stalled) {
      UUID attemptId = (UUID) row[0];
      RunRow run = LedgerStore.runRow(Arrays.copyOfRange(row, 10, 19));
      MonitorConfig.LaneRules rules = config.lane(run.lane());
      long stalledForMs = ((Number) row[19]).longValue();
      em.createNativeQuery("UPDATE attempts SET stalled_at = now() WHERE attempt_id = :attempt")
          .setParameter("attempt", attemptId)
          .executeUpdate();
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
              new AttemptId(attemptId),
              progress(row),
              stalledForMs,
              rules.stallAfter().toMillis()));
      metrics.counter("backfill_ledger_stalls_total", "lane", run.lane().wireName()).increment();
      LOG.warnf(
          "attempt %s of run %s (tenant %s, job %s, lane %s) stalled: progress %s unchanged for"
              + " %d ms while heartbeats arrive (worker %s, build %s)",
          attemptId,
          run.runId(),
          run.tenantId(),
          run.jobId(),
          run.lane().wireName(),
          progress(row),
          stalledForMs,
          row[2],
          row[3]);
      if (rules.timeoutWhenStalled()) {
        timeOut(row, TimeoutDiagnosis.RULE_STALLED);
      }
    }
    return stalled.size();
  }

  /** The last progress of a row of the timeout or stall query. */
  private static Progress progress(Object[] row) {
    String phase = (String) row[9];
    return new Progress(
        ((Number) row[7]).longValue(),
        row[8] == null ? null : ((Number) row[8]).longValue(),
        phase == null ? "starting" : phase);
  }

  /**
   * Due retries, in the caller's (new) transaction: published as RetryDue unless the run has a
   * running attempt again (then the retry is moot and cancelled). Returns {published, cancelled}.
   */
  public int[] publishDueRetries() {
    @SuppressWarnings("unchecked")
    List<Object[]> due =
        em.createNativeQuery(
                """
                SELECT r.run_id, r.lane, r.tenant_id, r.job_id, r.state, r.attempts,
                       r.chunk_topic, r.chunk_partition, r.chunk_offset,
                       t.attempt_number, t.retry_of, t.reason,
                       EXISTS (SELECT 1 FROM attempts a
                               WHERE a.run_id = t.run_id AND a.state = 'running')
                FROM retries t JOIN runs r ON r.run_id = t.run_id
                WHERE t.state = 'pending' AND t.due_at <= now()
                ORDER BY t.due_at
                LIMIT :batch
                FOR UPDATE OF t, r SKIP LOCKED
                """)
            .setParameter("batch", config.reaper().batchSize())
            .getResultList();
    int published = 0;
    int cancelled = 0;
    for (Object[] row : due) {
      RunRow run = LedgerStore.runRow(row);
      int attemptNumber = ((Number) row[9]).intValue();
      boolean hasRunning = (Boolean) row[12];
      em.createNativeQuery(
              "UPDATE retries SET state = :state WHERE run_id = :run AND attempt_number = :n")
          .setParameter("state", hasRunning ? "cancelled" : "published")
          .setParameter("run", run.runId().value())
          .setParameter("n", attemptNumber)
          .executeUpdate();
      if (hasRunning) {
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
              new AttemptId((UUID) row[10]),
              attemptNumber,
              (String) row[11],
              run.lane() == Lane.EXTRACT ? run.chunk() : null));
      metrics
          .counter("backfill_ledger_retries_due_total", "lane", run.lane().wireName())
          .increment();
      published++;
    }
    return new int[] {published, cancelled};
  }

  private static String diagnosisJson(TimeoutDiagnosis diagnosis) {
    try {
      return EventJson.mapper().writeValueAsString(diagnosis);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("could not write the timeout diagnosis", e);
    }
  }
}
