package io.backfill.kit.attempt;

/** A lane's work for one attempt, run on the thread that calls {@link AttemptLifecycle#run}. */
@FunctionalInterface
public interface Work {

  /**
   * Does the work and says how the attempt ends. It should return rather than throw: a failure
   * thrown is reported as a retryable RunFailed (or as the stop, when the attempt was stopped).
   * Long work checks {@link Attempt#checkNotStopped()} and waits with {@link Attempt#await}.
   */
  Ending run(Attempt attempt);
}
