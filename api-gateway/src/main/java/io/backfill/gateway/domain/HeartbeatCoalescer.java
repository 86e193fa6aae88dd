package io.backfill.gateway.domain;

import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.gateway.persistence.Sql;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Heartbeats arrive every few seconds per attempt; writing each would make the read model's write
 * load grow with the fleet. They are kept in memory (latest per attempt) and written in one
 * transaction per flush interval, together with the fleet's last-seen. Losing the unflushed ones in
 * a crash costs only a slightly older last-heartbeat, which the next heartbeat corrects.
 *
 * <p>Last-heartbeat times are the gateway's clock when it received the heartbeat, never the
 * worker's.
 */
@ApplicationScoped
@Startup
public class HeartbeatCoalescer {

  private static final Logger LOG = Logger.getLogger(HeartbeatCoalescer.class);

  private record Pending(RunHeartbeat heartbeat, Instant receivedAt) {}

  /** By tenant and attempt: another tenant's heartbeat naming an attempt id is kept apart. */
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  private final EntityManager em;
  private final EventTrust trust;
  private final FleetRegistry fleet;
  private final MeterRegistry metrics;

  HeartbeatCoalescer(
      EntityManager em, EventTrust trust, FleetRegistry fleet, MeterRegistry metrics) {
    this.em = em;
    this.trust = trust;
    this.fleet = fleet;
    this.metrics = metrics;
    // Exported at 0 from start-up, so a dashboard tells "no heartbeats" from "not scraped".
    metrics.counter("backfill_gateway_heartbeats_total");
  }

  public void offer(RunHeartbeat heartbeat) {
    Pending received = new Pending(heartbeat, Instant.now());
    pending.merge(
        key(heartbeat),
        received,
        (old, now) ->
            now.heartbeat().occurredAt().isBefore(old.heartbeat().occurredAt()) ? old : now);
    metrics.counter("backfill_gateway_heartbeats_total").increment();
  }

  @Scheduled(
      every = "${backfill.gateway.read-model.heartbeat-flush-interval:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<Pending> batch = new ArrayList<>();
    for (String key : List.copyOf(pending.keySet())) {
      Pending taken = pending.remove(key);
      if (taken != null) {
        batch.add(taken);
      }
    }
    try {
      QuarkusTransaction.requiringNew().run(() -> batch.forEach(this::write));
      metrics.counter("backfill_gateway_heartbeat_flushes_total", "outcome", "written").increment();
    } catch (RuntimeException e) {
      // Put them back (unless newer ones came meanwhile) so the next flush retries.
      batch.forEach(p -> pending.putIfAbsent(key(p.heartbeat()), p));
      metrics.counter("backfill_gateway_heartbeat_flushes_total", "outcome", "failed").increment();
      LOG.errorf(
          e, "could not write %d coalesced heartbeats; retrying at the next flush", batch.size());
    }
  }

  private static String key(RunHeartbeat heartbeat) {
    return heartbeat.tenantId() + "/" + heartbeat.attemptId().value();
  }

  private void write(Pending p) {
    RunHeartbeat hb = p.heartbeat();
    if (!trust.accepts(hb, hb.jobId(), "run.events")) {
      return;
    }
    Query upsert =
        em.createNativeQuery(
                "INSERT INTO run_attempts (attempt_id, tenant_id, job_id, run_id, lane, state,"
                    + " worker_id, build_sha, last_heartbeat_at, progress_done, progress_total,"
                    + " progress_phase, progress_at)"
                    + " VALUES (:attempt, :tenant, :job, :run, :lane, 'running', :worker, :build,"
                    + " :received, :done, :total, :phase, :at)"
                    + " ON CONFLICT (tenant_id, attempt_id) DO UPDATE SET"
                    + " worker_id = coalesce(run_attempts.worker_id, EXCLUDED.worker_id),"
                    + " build_sha = coalesce(run_attempts.build_sha, EXCLUDED.build_sha),"
                    + " last_heartbeat_at = greatest(run_attempts.last_heartbeat_at,"
                    + " EXCLUDED.last_heartbeat_at),"
                    + " progress_done = CASE WHEN run_attempts.progress_at IS NULL"
                    + " OR EXCLUDED.progress_at > run_attempts.progress_at"
                    + " THEN EXCLUDED.progress_done ELSE run_attempts.progress_done END,"
                    + " progress_total = CASE WHEN run_attempts.progress_at IS NULL"
                    + " OR EXCLUDED.progress_at > run_attempts.progress_at"
                    + " THEN EXCLUDED.progress_total ELSE run_attempts.progress_total END,"
                    + " progress_phase = CASE WHEN run_attempts.progress_at IS NULL"
                    + " OR EXCLUDED.progress_at > run_attempts.progress_at"
                    + " THEN EXCLUDED.progress_phase ELSE run_attempts.progress_phase END,"
                    + " progress_at = greatest(run_attempts.progress_at, EXCLUDED.progress_at)"
                    // A heartbeat naming this attempt under another job changes nothing.
                    + " WHERE run_attempts.job_id = EXCLUDED.job_id")
            .setParameter("attempt", hb.attemptId().value())
            .setParameter("tenant", hb.tenantId())
            .setParameter("job", UUID.fromString(hb.jobId().value()))
            .setParameter("run", hb.runId().value())
            .setParameter("lane", hb.runId().lane().wireName())
            .setParameter("worker", hb.workerId())
            .setParameter("build", hb.buildSha())
            .setParameter("received", p.receivedAt())
            .setParameter("done", hb.progress().done())
            .setParameter("phase", hb.progress().phase())
            .setParameter("at", hb.occurredAt());
    Sql.bind(upsert, "total", hb.progress().total(), Long.class).executeUpdate();
    fleet.seen(
        hb.workerId(), FleetRegistry.serviceOf(hb.runId().lane()), hb.buildSha(), p.receivedAt());
  }
}
