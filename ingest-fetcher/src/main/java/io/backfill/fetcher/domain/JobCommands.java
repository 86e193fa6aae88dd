package io.backfill.fetcher.domain;

import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.CancelJob;
import io.backfill.contracts.event.FollowJob;
import io.backfill.contracts.event.FollowStarted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.JobResumed;
import io.backfill.contracts.event.PauseJob;
import io.backfill.contracts.event.ResumeJob;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.id.JobId;
import io.backfill.fetcher.domain.CommandMetrics.Ignored;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.fetcher.persistence.FollowStore;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Job commands ({@code backfill.commands}) and the ledger's decisions about fetch runs ({@code
 * run.control}). Each is a status change in the database first, so a command reaches an attempt
 * running on any instance: the attempt reads the job's status at every checkpoint. An attempt in
 * this process is also told directly, which wakes it from a backoff.
 *
 * <p>Nothing on these topics is trusted to name the right job: a command or event applies only when
 * its {@code tenantId} is the job's own; otherwise it is ignored, logged and counted ({@code
 * backfill_fetcher_commands_ignored_total{reason="tenant_mismatch"}}), so one tenant cannot pause,
 * cancel, resume or retry another's job by guessing its id.
 *
 * <p>A job that was running announces its own JobPaused / JobCancelled when its attempt has
 * finished the page in flight; a job that was not running is announced here.
 */
@ApplicationScoped
public class JobCommands {

  private static final Logger LOG = Logger.getLogger(JobCommands.class);

  // A fetched job's chunks may still be extracted: pausing or cancelling it stops extraction.
  private static final Set<String> PAUSABLE = Set.of("pending", "running", "fetched");
  private static final Set<String> CANCELLABLE =
      Set.of("pending", "running", "paused", "failed", "timed_out", "fetched");
  // Resumed with nothing left to fetch: back to fetched, no new attempt.
  private static final Set<String> RESUMABLE_FETCHED = Set.of("paused", "cancelled");

  private final JobStore store;
  private final FetchRunner runner;
  private final JobEventsPublisher jobEvents;
  private final CommandMetrics metrics;

  private final FollowStore follow;
  private final FollowRunner rounds;
  private final FollowRound round;

  JobCommands(
      JobStore store,
      FetchRunner runner,
      JobEventsPublisher jobEvents,
      CommandMetrics metrics,
      FollowStore follow,
      FollowRunner rounds,
      FollowRound round) {
    this.follow = follow;
    this.rounds = rounds;
    this.round = round;
    this.store = store;
    this.runner = runner;
    this.jobEvents = jobEvents;
    this.metrics = metrics;
  }

  public void handle(BackfillCommand command) {
    JobId jobId = command.jobId();
    String what = command.getClass().getSimpleName();
    if (!ofItsTenant(what, command.tenantId(), jobId, "job " + jobId)) {
      return;
    }
    if (command instanceof FollowJob followJob) {
      followJob(followJob);
      return;
    }
    // Following obeys the job's commands too: a pause holds its rounds (an in-flight round stops
    // after its page), a resume lets them go on from the stored links, a cancel ends them.
    if (command instanceof PauseJob) {
      if (moveFollow(jobId, Set.of("following"), "paused")) {
        rounds.stop(jobId, StopReason.PAUSED);
      }
    } else if (command instanceof ResumeJob) {
      if (moveFollow(jobId, Set.of("paused"), "following")) {
        rounds.wake();
      }
    } else if (command instanceof CancelJob) {
      if (moveFollow(jobId, Set.of("following", "paused"), "ended")) {
        rounds.stop(jobId, StopReason.CANCELLED);
      }
    }
    if (command instanceof PauseJob pause) {
      Optional<String> was = transition(jobId, PAUSABLE, "paused");
      if (was.isEmpty()) {
        ignored(command);
      } else if (was.get().equals("running")) {
        runner.stop(jobId, StopReason.PAUSED);
      } else {
        // A pending job may be in the middle of its claim: that attempt ends at once.
        runner.stop(jobId, StopReason.PAUSED);
        jobEvents.publish(JobPaused.of(pause.tenantId(), jobId, pause.reason()));
      }
    } else if (command instanceof CancelJob cancel) {
      Optional<String> was = transition(jobId, CANCELLABLE, "cancelled");
      if (was.isEmpty()) {
        ignored(command);
      } else if (was.get().equals("running")) {
        runner.stop(jobId, StopReason.CANCELLED);
      } else {
        runner.stop(jobId, StopReason.CANCELLED);
        jobEvents.publish(JobCancelled.of(cancel.tenantId(), jobId, cancel.reason()));
      }
    } else if (command instanceof ResumeJob resume) {
      if (QuarkusTransaction.requiringNew()
          .call(() -> store.resumeFetched(jobId, RESUMABLE_FETCHED))) {
        LOG.infof(
            "job %s (tenant %s) resumed with its fetch already complete: back to fetched",
            jobId, resume.tenantId());
        jobEvents.publish(JobResumed.of(resume.tenantId(), jobId, resume.reason()));
      } else if (runner.start(jobId, FetchRunner.RESUMABLE, "resumed by command")) {
        jobEvents.publish(JobResumed.of(resume.tenantId(), jobId, resume.reason()));
      } else {
        ignored(command);
      }
    }
  }

  /**
   * FollowJob: a job fetched without following starts following; its first round lists every folder
   * afresh with sweeps (decision 0037).
   */
  private void followJob(FollowJob command) {
    JobId jobId = command.jobId();
    boolean started =
        QuarkusTransaction.requiringNew()
            .call(() -> follow.followFetched(jobId, command.followIntervalSeconds()));
    if (!started) {
      ignored(command);
      return;
    }
    JobRow job = QuarkusTransaction.requiringNew().call(() -> store.find(jobId)).orElseThrow();
    LOG.infof("job %s (tenant %s) follows its mailbox from now on", jobId, command.tenantId());
    jobEvents.publish(FollowStarted.of(command.tenantId(), jobId, round.intervalOf(job)));
    rounds.wake();
  }

  private boolean moveFollow(JobId jobId, Set<String> from, String to) {
    return QuarkusTransaction.requiringNew().call(() -> follow.moveFollowState(jobId, from, to));
  }

  /** RetryDue for a follow round: the open round is due now, from its stored links. */
  public void retryRound(RetryDue due) {
    if (!ofItsTenant("RetryDue", due.tenantId(), due.jobId(), "run " + due.runId())) {
      return;
    }
    if (QuarkusTransaction.requiringNew()
        .call(() -> follow.retryRound(due.jobId(), rounds.deadAfter()))) {
      LOG.infof("round %s due again from its checkpoint: %s", due.runId(), due.reason());
      rounds.wake();
    } else {
      metrics.ignored(Ignored.NOT_APPLICABLE);
      LOG.infof(
          "RetryDue for %s (tenant %s) ignored: no open round without a live attempt",
          due.runId(), due.tenantId());
    }
  }

  /** The ledger timed out a round attempt: fenced, and stopped if it runs here. */
  public void roundTimedOut(RunTimedOut timedOut) {
    if (!ofItsTenant(
        "RunTimedOut",
        timedOut.tenantId(),
        timedOut.jobId(),
        "run " + timedOut.runId() + ", attempt " + timedOut.attemptId())) {
      return;
    }
    boolean owned =
        QuarkusTransaction.requiringNew()
            .call(() -> follow.timeOut(timedOut.jobId(), timedOut.attemptId()));
    rounds.stop(timedOut.jobId(), timedOut.attemptId(), StopReason.TIMED_OUT);
    LOG.infof(
        "round attempt %s of %s timed out by the ledger%s",
        timedOut.attemptId(),
        timedOut.runId(),
        owned ? "; the round is claimed again" : " (it no longer owned the round)");
  }

  /** RetryDue for a fetch run: a new attempt from the checkpoint. */
  public void retry(RetryDue due) {
    if (!ofItsTenant("RetryDue", due.tenantId(), due.jobId(), "run " + due.runId())) {
      return;
    }
    if (!runner.start(due.jobId(), FetchRunner.RETRYABLE, "retry: " + due.reason())) {
      metrics.ignored(Ignored.NOT_APPLICABLE);
      LOG.infof(
          "RetryDue for %s (tenant %s) ignored: the job is paused, cancelled or its attempt is"
              + " alive",
          due.runId(), due.tenantId());
    }
  }

  /** The ledger timed out an attempt: fence it in the database, and stop it if it runs here. */
  public void timedOut(RunTimedOut timedOut) {
    if (!ofItsTenant(
        "RunTimedOut",
        timedOut.tenantId(),
        timedOut.jobId(),
        "run " + timedOut.runId() + ", attempt " + timedOut.attemptId())) {
      return;
    }
    boolean owned =
        QuarkusTransaction.requiringNew()
            .call(() -> store.timeOut(timedOut.jobId(), timedOut.attemptId()));
    runner.stop(timedOut.jobId(), timedOut.attemptId(), StopReason.TIMED_OUT);
    LOG.infof(
        "attempt %s of %s timed out by the ledger%s",
        timedOut.attemptId(),
        timedOut.runId(),
        owned ? "; the job waits for its retry" : " (it no longer owned the job)");
  }

  /**
   * True when the job exists here and belongs to {@code tenantId}; otherwise logs and counts why
   * the command or event is ignored. A job's tenant never changes, so the answer stays true for the
   * transition that follows.
   */
  private boolean ofItsTenant(String what, String tenantId, JobId jobId, String ids) {
    Optional<JobRow> job = QuarkusTransaction.requiringNew().call(() -> store.find(jobId));
    if (job.isEmpty()) {
      metrics.ignored(Ignored.UNKNOWN_JOB);
      LOG.infof("%s for %s (tenant %s) ignored: no such job here", what, ids, tenantId);
      return false;
    }
    if (!job.get().tenantId().equals(tenantId)) {
      metrics.ignored(Ignored.TENANT_MISMATCH);
      LOG.warnf(
          "%s for %s ignored: it names tenant %s but the job belongs to tenant %s",
          what, ids, tenantId, job.get().tenantId());
      return false;
    }
    return true;
  }

  private Optional<String> transition(JobId jobId, Set<String> from, String to) {
    return QuarkusTransaction.requiringNew().call(() -> store.transition(jobId, from, to));
  }

  private void ignored(BackfillCommand command) {
    metrics.ignored(Ignored.NOT_APPLICABLE);
    LOG.infof(
        "%s for job %s (tenant %s) ignored: the job is not in a state it applies to",
        command.getClass().getSimpleName(), command.jobId(), command.tenantId());
  }
}
