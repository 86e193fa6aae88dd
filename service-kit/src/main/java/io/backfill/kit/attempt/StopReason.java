package io.backfill.kit.attempt;

import java.util.Locale;

/** Why an attempt ends before its work is done; the tag is the attempts metric's outcome. */
public enum StopReason {
  /** The job was paused: the run is parked (RunStopped), a resume continues it. */
  PAUSED,
  /** The job was cancelled: the run is parked (RunStopped), nothing more is done. */
  CANCELLED,
  /** The ledger timed the attempt out (RunTimedOut): it is fenced and reports nothing. */
  TIMED_OUT,
  /** A newer attempt of the same run took over: this one is fenced and reports nothing. */
  SUPERSEDED,
  /** The process is shutting down. */
  SHUTDOWN,
  /** No heartbeat was acknowledged for the stale threshold: the ledger may have reaped it. */
  SELF_FENCED,
  /** The attempt ran past its hard deadline. */
  DEADLINE;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
