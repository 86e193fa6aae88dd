package io.backfill.gateway.domain;

import io.backfill.contracts.event.Event;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobRejected;
import io.backfill.contracts.id.JobId;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Events are untrusted input: whoever can produce to a topic can name any tenant and any job. An
 * event is projected only when its job could be its tenant's: a JobAccepted or JobRejected must
 * name the job derived from its tenant and request id, and any event must name the tenant the
 * gateway already knows the job by (its view or its submission). Anything else is ignored, counted
 * in {@code backfill_gateway_events_ignored_total{reason}} and logged once with its ids. Runs
 * inside the projecting transaction, so the check and the write see the same job.
 */
@ApplicationScoped
public class EventTrust {

  private static final Logger LOG = Logger.getLogger(EventTrust.class);

  /** Why an event was ignored; the metric's {@code reason} label. */
  public enum Reason {
    JOB_ID_NOT_DERIVED("job_id_not_derived"),
    TENANT_MISMATCH("tenant_mismatch");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final JobOwners owners;
  private final MeterRegistry metrics;
  private final AfterCommit afterCommit;

  EventTrust(JobOwners owners, MeterRegistry metrics, AfterCommit afterCommit) {
    this.owners = owners;
    this.metrics = metrics;
    this.afterCommit = afterCommit;
    for (Reason reason : Reason.values()) {
      // Exported at 0 from start-up, so an alert can tell "none ignored" from "not scraped".
      metrics.counter("backfill_gateway_events_ignored_total", "reason", reason.label());
    }
  }

  /**
   * Whether the event may be projected; when not, it has been counted and logged.
   *
   * @param topic where the event came from, for the log line
   */
  public boolean accepts(Event event, JobId jobId, String topic) {
    String requestId = requestId(event);
    if (requestId != null && !JobId.derive(event.tenantId(), requestId).equals(jobId)) {
      return ignore(event, jobId, topic, Reason.JOB_ID_NOT_DERIVED, "request " + requestId);
    }
    String owner = owners.tenantOf(UUID.fromString(jobId.value())).orElse(null);
    if (owner != null && !owner.equals(event.tenantId())) {
      return ignore(event, jobId, topic, Reason.TENANT_MISMATCH, "job of tenant " + owner);
    }
    return true;
  }

  private static String requestId(Event event) {
    if (event instanceof JobAccepted accepted) {
      return accepted.requestId();
    }
    if (event instanceof JobRejected rejected) {
      return rejected.requestId();
    }
    return null;
  }

  private boolean ignore(Event event, JobId jobId, String topic, Reason reason, String detail) {
    // Counted once the projecting transaction commits: a batch applied again counts it once.
    afterCommit.run(
        () ->
            metrics
                .counter("backfill_gateway_events_ignored_total", "reason", reason.label())
                .increment());
    LOG.warnf(
        "ignored %s %s (event %s, tenant %s, job %s): %s, %s",
        topic,
        event.getClass().getSimpleName(),
        event.eventId(),
        LogText.of(event.tenantId()),
        jobId,
        reason.label(),
        LogText.of(detail));
    return false;
  }
}
