package io.backfill.gateway.domain;

import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.gateway.persistence.RunStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
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

  private final RunStore runs;
  private final EventTrust trust;
  private final FleetRegistry fleet;
  private final MeterRegistry metrics;

  HeartbeatCoalescer(RunStore runs, EventTrust trust, FleetRegistry fleet, MeterRegistry metrics) {
    this.runs = runs;
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
    runs.upsertHeartbeat(
        new RunStore.HeartbeatFacts(
            hb.tenantId(),
            hb.attemptId().value(),
            UUID.fromString(hb.jobId().value()),
            hb.runId().value(),
            hb.runId().lane().wireName(),
            hb.workerId(),
            hb.buildSha(),
            p.receivedAt(),
            hb.progress().done(),
            hb.progress().total(),
            hb.progress().phase(),
            hb.occurredAt()));
    fleet.seen(
        hb.workerId(), FleetRegistry.serviceOf(hb.runId().lane()), hb.buildSha(), p.receivedAt());
  }
}
