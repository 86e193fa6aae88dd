package io.backfill.worker.attempt;

import io.backfill.worker.domain.ChunkMetrics;
import io.backfill.worker.persistence.JobStopStore;
import io.backfill.worker.persistence.JobStopStore.StopState;
import io.backfill.worker.persistence.TransientRetry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Whether a job is paused or cancelled, as job.events last said: kept in memory as this process
 * hears it (every process reads every event) and in table {@code job_stop_states} (written once per
 * event by the shared group), so a worker started after the event knows it too. Per job the event
 * with the larger job.events offset wins: all events of one job are on one partition, in order.
 */
@ApplicationScoped
public class JobStopStates {

  private static final Logger LOG = Logger.getLogger(JobStopStates.class);

  public static final String PAUSED = "paused";
  public static final String CANCELLED = "cancelled";
  public static final String RESUMED = "resumed";

  private final JobStopStore store;
  private final TransientRetry retry;
  private final ChunkMetrics metrics;
  private final Map<String, StopState> heard = new ConcurrentHashMap<>();

  JobStopStates(JobStopStore store, TransientRetry retry, ChunkMetrics metrics) {
    this.store = store;
    this.retry = retry;
    this.metrics = metrics;
  }

  /** What this process heard: applied in memory unless it knows a newer event of the job. */
  public void heard(String tenantId, String jobId, String state, long offset) {
    heard.merge(
        key(tenantId, jobId),
        new StopState(state, offset),
        (known, now) -> now.offset() > known.offset() ? now : known);
  }

  /** Records the state for every worker, now and later (a newer stored event is kept). */
  public void record(String tenantId, String jobId, String state, long offset, Instant at) {
    heard(tenantId, jobId, state, offset);
    long deadline = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
    retry.run(
        "record_job_state",
        "job " + jobId + " (tenant " + tenantId + ")",
        deadline,
        () ->
            QuarkusTransaction.requiringNew()
                .run(() -> store.record(tenantId, jobId, state, offset, at)));
  }

  /**
   * {@code paused} or {@code cancelled} when the job is stopped, else empty: the newer of what this
   * process heard and what the table holds. When the table cannot be read, what was heard decides
   * (logged and counted): a stopped chunk that runs anyway writes what a resumed one would.
   */
  public Optional<String> stopReason(String tenantId, String jobId, String ids, long deadline) {
    StopState known = heard.get(key(tenantId, jobId));
    try {
      Optional<StopState> stored =
          retry.call(
              "read_job_state",
              ids,
              deadline,
              () -> QuarkusTransaction.requiringNew().call(() -> store.find(tenantId, jobId)));
      if (stored.isPresent() && (known == null || stored.get().offset() > known.offset())) {
        known = stored.get();
      }
    } catch (RuntimeException e) {
      metrics.jobStateUnreadable();
      LOG.errorf(
          e, "the stop state of %s could not be read; deciding by the events heard here", ids);
    }
    if (known == null || RESUMED.equals(known.state())) {
      return Optional.empty();
    }
    return Optional.of(known.state());
  }

  private static String key(String tenantId, String jobId) {
    // Tenant first: an event applies only to chunks of its own tenant.
    return tenantId + "\u0000" + jobId;
  }
}
