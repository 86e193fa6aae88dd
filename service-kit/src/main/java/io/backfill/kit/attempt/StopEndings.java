package io.backfill.kit.attempt;

import io.backfill.contracts.event.ErrorInfo;

/**
 * How a lane ends an attempt that was stopped: used when the lifecycle ends a stopped attempt
 * itself ({@link AttemptLifecycle.OnStop#END_AT_ONCE}), and when the work throws after a stop.
 */
@FunctionalInterface
public interface StopEndings {

  Ending on(Attempt attempt, StopReason reason);

  /**
   * The protocol's own answers: RunStopped for a pause or cancel, a retryable RunFailed when the
   * attempt fenced itself, passed its deadline or was handed back at shutdown, and nothing when it
   * was fenced by the ledger or a newer attempt (they own the run now).
   */
  StopEndings STANDARD =
      (attempt, reason) ->
          switch (reason) {
            case PAUSED, CANCELLED ->
                Ending.of(
                    attempt.runStopped(
                        reason.tag(), reason.tag() + " in phase " + attempt.progress().phase()));
            case SELF_FENCED ->
                Ending.of(
                    attempt.runFailed(
                        true,
                        ErrorInfo.coded(
                            "SelfFenced", "no heartbeat delivered within the stale threshold")));
            case DEADLINE ->
                Ending.of(
                    attempt.runFailed(
                        true,
                        ErrorInfo.coded("DeadlineExceeded", "the attempt passed its deadline")));
            case SHUTDOWN ->
                Ending.of(
                    attempt.runFailed(
                        true, ErrorInfo.coded("Shutdown", "attempt handed back at shutdown")));
            case TIMED_OUT, SUPERSEDED -> Ending.silent();
          };
}
