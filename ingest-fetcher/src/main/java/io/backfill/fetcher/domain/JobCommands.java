package io.backfill.fetcher.domain;

import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.CancelJob;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.JobResumed;
import io.backfill.contracts.event.PauseJob;
import io.backfill.contracts.event.ResumeJob;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.id.JobId;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.fetcher.persistence.JobStore;
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
 * <p>A job that was running announces its own JobPaused / JobCancelled when its attempt has
 * finished the page in flight; a job that was not running is announced here.
 */
@ApplicationScoped
public class JobCommands {

  private static final Logger LOG = Logger.getLogger(JobCommands.class);

  private static final Set<String> PAUSABLE = Set.of("pending", "running");
  private static final Set<String> CANCELLABLE =
      Set.of("pending", "running", "paused", "failed", "timed_out");

  private final JobStore store;
  private final FetchRunner runner;
  private final JobEventsPublisher jobEvents;

  JobCommands(JobStore store, FetchRunner runner, JobEventsPublisher jobEvents) {
    this.store = store;
    this.runner = runner;
    this.jobEvents = jobEvents;
  }

  public void handle(BackfillCommand command) {
    JobId jobId = command.jobId();
    if (command instanceof PauseJob pause) {
      Optional<String> was = transition(jobId, PAUSABLE, "paused");
      if (was.isEmpty()) {
        ignored(command);
      } else if (was.get().equals("running")) {
        runner.stop(jobId, StopReason.PAUSED);
      } else {
        jobEvents.publish(JobPaused.of(pause.tenantId(), jobId, pause.reason()));
      }
    } else if (command instanceof CancelJob cancel) {
      Optional<String> was = transition(jobId, CANCELLABLE, "cancelled");
      if (was.isEmpty()) {
        ignored(command);
      } else if (was.get().equals("running")) {
        runner.stop(jobId, StopReason.CANCELLED);
      } else {
        jobEvents.publish(JobCancelled.of(cancel.tenantId(), jobId, cancel.reason()));
      }
    } else if (command instanceof ResumeJob resume) {
      if (runner.start(jobId, FetchRunner.RESUMABLE, "resumed by command")) {
        jobEvents.publish(JobResumed.of(resume.tenantId(), jobId, resume.reason()));
      } else {
        ignored(command);
      }
    }
  }

  /** RetryDue for a fetch run: a new attempt from the checkpoint. */
  public void retry(RetryDue due) {
    if (!runner.start(due.jobId(), FetchRunner.RETRYABLE, "retry: " + due.reason())) {
      LOG.infof(
          "RetryDue for %s ignored: the job is paused, cancelled, fetched or unknown here",
          due.runId());
    }
  }

  /** The ledger timed out an attempt: fence it in the database, and stop it if it runs here. */
  public void timedOut(RunTimedOut timedOut) {
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

  private Optional<String> transition(JobId jobId, Set<String> from, String to) {
    return QuarkusTransaction.requiringNew().call(() -> store.transition(jobId, from, to));
  }

  private static void ignored(BackfillCommand command) {
    LOG.infof(
        "%s for job %s ignored: the job is not in a state it applies to (or unknown here)",
        command.getClass().getSimpleName(), command.jobId());
  }
}
