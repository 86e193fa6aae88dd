package io.backfill.fetcher.domain;

import java.util.Locale;

/** Why a fetch attempt ends before its last page; also the attempts metric's outcome. */
public enum StopReason {
  /** PauseJob: the checkpoint is kept, Resume continues from it. */
  PAUSED,
  /** CancelJob: nothing more is fetched. */
  CANCELLED,
  /** The ledger timed the attempt out (RunTimedOut); a RetryDue resumes the job. */
  TIMED_OUT,
  /** A newer attempt of the same job took over (RetryDue or Resume while this one still ran). */
  SUPERSEDED,
  /** The process is shutting down: the attempt is handed back, retryable. */
  SHUTDOWN,
  /** Heartbeats could not be sent for the stale threshold: the ledger may already reap it. */
  SELF_FENCED;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
