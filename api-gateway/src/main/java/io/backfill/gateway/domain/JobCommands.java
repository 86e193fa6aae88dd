package io.backfill.gateway.domain;

import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.CancelJob;
import io.backfill.contracts.event.PauseJob;
import io.backfill.contracts.event.ResumeJob;
import io.backfill.contracts.id.JobId;
import java.util.Locale;
import java.util.Set;

/**
 * Which command a job accepts in which state (as the gateway shows the state). Resume accepts every
 * state but completed and rejected: a pending job must be resumable, and so must a running one,
 * because the gateway cannot tell whether its attempt is still alive (the fetcher can: it takes
 * over a running job whose attempt is dead and ignores a resume of a live one). Pause only a job
 * that could be paging; cancel every job that has not ended for good. A completed job that follows
 * its mailbox takes them for its following.
 */
public enum JobCommands {
  PAUSE(Set.of("pending", "running", "timed-out"), Set.of("following")),
  RESUME(
      Set.of("pending", "running", "paused", "failed", "cancelled", "timed-out"),
      Set.of("following", "paused")),
  CANCEL(
      Set.of("pending", "running", "paused", "failed", "timed-out"), Set.of("following", "paused"));

  private final Set<String> acceptedIn;
  private final Set<String> acceptedWhileFollowing;

  JobCommands(Set<String> acceptedIn, Set<String> acceptedWhileFollowing) {
    this.acceptedIn = acceptedIn;
    this.acceptedWhileFollowing = acceptedWhileFollowing;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean acceptedIn(String status) {
    return acceptedIn.contains(status);
  }

  public Set<String> acceptedStates() {
    return acceptedIn;
  }

  /**
   * For a completed job, by its follow state (docs/decisions/0037): pause holds the rounds, resume
   * continues them (also when not paused, as for a running job), cancel ends following for good.
   */
  public boolean acceptedWhileFollowing(String followState) {
    return followState != null && acceptedWhileFollowing.contains(followState);
  }

  public Set<String> acceptedFollowStates() {
    return acceptedWhileFollowing;
  }

  public BackfillCommand command(String tenantId, JobId jobId, String reason) {
    return switch (this) {
      case PAUSE -> PauseJob.of(tenantId, jobId, reason);
      case RESUME -> ResumeJob.of(tenantId, jobId, reason);
      case CANCEL -> CancelJob.of(tenantId, jobId, reason);
    };
  }
}
