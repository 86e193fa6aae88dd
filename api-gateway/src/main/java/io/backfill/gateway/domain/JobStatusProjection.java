package io.backfill.gateway.domain;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.FollowRoundCompleted;
import io.backfill.contracts.event.FollowStarted;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.JobRejected;
import io.backfill.contracts.event.JobResumed;
import io.backfill.gateway.persistence.JobStore;
import io.backfill.gateway.persistence.JobView;
import io.backfill.gateway.persistence.ProjectedEvents;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Projects {@code job.events} into the job status read model ({@link JobView}). The view change and
 * the event id commit together (in the event's transaction, or its batch's), so a redelivered event
 * (same eventId) changes nothing.
 *
 * <p>An event for a job the view does not know yet, other than JobAccepted/JobRejected, creates a
 * minimal view (tenant, status, counts; no mailbox or window). job.events is keyed by jobId, so per
 * job the events arrive in order and this only happens when the start of a job's history is gone
 * (topic retention, a restored database, a reset consumer group). Showing the latest known state
 * then is better than a 404 for a job that exists; a JobAccepted that turns up later fills in the
 * missing fields. It is logged, so the gap is visible.
 */
@ApplicationScoped
public class JobStatusProjection {

  private static final Logger LOG = Logger.getLogger(JobStatusProjection.class);

  /** What projecting one event did. */
  public enum Outcome {
    PROJECTED,
    DUPLICATE,
    /** Not its tenant's job (see {@link EventTrust}); nothing was written. */
    IGNORED,
    /**
     * A pause, resume or cancel that reached a job after it had completed (its last chunk ended
     * before the command reached it) and that does not follow its mailbox: the job's end stands, as
     * it does in the run ledger.
     */
    AFTER_END;

    String metricName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static final String FOLLOWING = "following";
  static final String PAUSED = "paused";
  static final String ENDED = "ended";

  private final ProjectedEvents projected;
  private final EventTrust trust;
  private final JobStore jobs;
  private final MeterRegistry metrics;
  private final AfterCommit afterCommit;

  JobStatusProjection(
      ProjectedEvents projected,
      EventTrust trust,
      JobStore jobs,
      MeterRegistry metrics,
      AfterCommit afterCommit) {
    this.projected = projected;
    this.trust = trust;
    this.jobs = jobs;
    this.metrics = metrics;
    this.afterCommit = afterCommit;
  }

  @Transactional
  public Outcome apply(JobEvent event) {
    // Checked before the event id is marked, so an ignored event never shadows a genuine one.
    Outcome outcome;
    if (!trust.accepts(event, event.jobId(), "job.events")) {
      outcome = Outcome.IGNORED;
    } else {
      outcome = projected.markProjected(event.eventId()) ? project(event) : Outcome.DUPLICATE;
    }
    String counted = outcome.metricName();
    afterCommit.run(
        () ->
            metrics
                .counter(
                    "backfill_gateway_job_events_total",
                    "type",
                    event.getClass().getSimpleName(),
                    "outcome",
                    counted)
                .increment());
    return outcome;
  }

  private Outcome project(JobEvent event) {
    UUID jobId = UUID.fromString(event.jobId().value());
    JobView view = jobs.find(jobId).orElse(null);
    if (view == null) {
      if (!(event instanceof JobAccepted) && !(event instanceof JobRejected)) {
        LOG.infof(
            "%s for job %s (tenant %s) before any JobAccepted/JobRejected: creating a minimal view",
            event.getClass().getSimpleName(), jobId, LogText.of(event.tenantId()));
      }
      view = newView(jobId, event);
    } else if (!view.tenantId.equals(event.tenantId())) {
      // A jobId is derived from its tenant: another tenant's event for it is corrupt, and applying
      // it would show one tenant's job to another. Refused, so it goes to the dead-letter topic.
      throw new IllegalStateException(
          "job "
              + jobId
              + " belongs to tenant "
              + view.tenantId
              + ", not to "
              + event.tenantId()
              + " as the "
              + event.getClass().getSimpleName()
              + " says");
    }

    boolean control =
        event instanceof JobPaused || event instanceof JobResumed || event instanceof JobCancelled;
    if (view.status == JobStatus.COMPLETED && control && view.followState != null) {
      // The history stays completed; the command was for following (docs/decisions/0037).
      followControl(view, event);
    } else if (view.status == JobStatus.COMPLETED && control) {
      LOG.infof(
          "%s of job %s (tenant %s) came after the job completed: it stays completed",
          event.getClass().getSimpleName(), jobId, LogText.of(event.tenantId()));
      return Outcome.AFTER_END;
    } else if (event instanceof FollowStarted started) {
      if (view.followState == null) {
        view.followState = FOLLOWING;
      }
      view.followIntervalSeconds = started.intervalSeconds();
    } else if (event instanceof FollowRoundCompleted round) {
      roundCompleted(view, round);
    } else if (event instanceof JobAccepted accepted) {
      accept(view, accepted);
    } else if (event instanceof JobRejected rejected) {
      view.requestId = rejected.requestId();
      view.status = JobStatus.REJECTED;
      view.reason = rejected.reason();
    } else if (event instanceof JobPaused paused) {
      followControl(view, event);
      view.status = JobStatus.PAUSED;
      view.reason = paused.reason();
      view.stoppedAt = paused.occurredAt();
    } else if (event instanceof JobResumed) {
      followControl(view, event);
      view.status = JobStatus.RUNNING;
      view.reason = null;
      view.stoppedAt = null;
    } else if (event instanceof JobCancelled cancelled) {
      followControl(view, event);
      view.status = JobStatus.CANCELLED;
      view.reason = cancelled.reason();
      view.stoppedAt = cancelled.occurredAt();
    } else if (event instanceof JobFetchProgress progress) {
      fetchProgress(view, progress);
    } else if (event instanceof JobCompleted completed) {
      complete(view, completed);
    } else if (event instanceof JobFailed failed) {
      view.status = JobStatus.FAILED;
      view.reason = describe(failed.error());
    } else {
      throw new IllegalStateException("unhandled job event " + event.getClass().getName());
    }
    view.updatedAt = Instant.now();
    view.lastEventId = event.eventId();
    view.lastEventAt = event.occurredAt();
    jobs.save(view);
    return Outcome.PROJECTED;
  }

  /**
   * Pause holds a followed job's rounds, resume continues them and cancel ends them for good; a job
   * not followed (or whose following ended) keeps no follow state.
   */
  private static void followControl(JobView view, JobEvent event) {
    if (view.followState == null || ENDED.equals(view.followState)) {
      return;
    }
    if (event instanceof JobPaused) {
      view.followState = PAUSED;
    } else if (event instanceof JobResumed) {
      view.followState = FOLLOWING;
    } else if (event instanceof JobCancelled) {
      view.followState = ENDED;
    }
  }

  /**
   * Keyed by round, so a round announced twice (a fetcher restarted after publishing) counts once.
   */
  private void roundCompleted(JobView view, FollowRoundCompleted round) {
    if (view.followState == null) {
      view.followState = FOLLOWING;
    }
    jobs.recordRound(
        round.tenantId(),
        view.jobId,
        round.round(),
        round.roundStartedAt(),
        round.resyncedFolders());
  }

  private static JobView newView(UUID jobId, JobEvent event) {
    JobView view = new JobView();
    view.jobId = jobId;
    view.tenantId = event.tenantId();
    view.status = JobStatus.PENDING;
    view.createdAt = event.occurredAt();
    return view;
  }

  /**
   * Fills in what the job is. The status goes (back) to pending only from new or rejected: the
   * fetcher may announce a job again (a new eventId after a crash), and that must not undo progress
   * already shown; a request rejected earlier and accepted now is pending again.
   */
  private static void accept(JobView view, JobAccepted accepted) {
    view.requestId = accepted.requestId();
    view.mailbox = accepted.mailbox();
    view.folder = accepted.folder();
    view.windowFrom = accepted.from();
    view.windowTo = accepted.to();
    if (view.status == JobStatus.REJECTED) {
      view.status = JobStatus.PENDING;
      view.reason = null;
    }
  }

  /**
   * Counts only grow: a progress event older than one already projected (possible with two
   * producers on the topic) must not make progress go backwards. Paging means running, but only a
   * pending job starts running here: a late progress event does not undo a pause or an end.
   */
  private static void fetchProgress(JobView view, JobFetchProgress progress) {
    view.chunksPublished = Math.max(view.chunksPublished, progress.chunksPublished());
    view.messagesFetched = Math.max(view.messagesFetched, progress.messagesFetched());
    view.hasMore = progress.hasMore();
    if (view.status == JobStatus.PENDING) {
      view.status = JobStatus.RUNNING;
    }
  }

  private static void complete(JobView view, JobCompleted completed) {
    view.status = JobStatus.COMPLETED;
    view.hasMore = false;
    view.chunks = completed.chunks();
    view.failedChunks = completed.failedChunks();
    view.chunksPublished = Math.max(view.chunksPublished, completed.chunks());
    view.messagesFetched = Math.max(view.messagesFetched, completed.messages());
    view.reason =
        completed.withErrors()
            ? completed.failedChunks()
                + " of "
                + completed.chunks()
                + " chunks failed; they are in backfill.chunks.dlq"
            : null;
  }

  private static String describe(ErrorInfo error) {
    return error.message() == null || error.message().isBlank()
        ? error.type()
        : error.type() + ": " + error.message();
  }
}
