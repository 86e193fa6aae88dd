package io.backfill.worker.attempt;

import java.time.Duration;

/** The attempt ran past its hard deadline; a retry may succeed, so it is retryable. */
public class DeadlineExceededException extends RuntimeException {

  public DeadlineExceededException(Duration deadline) {
    super("chunk not extracted within its deadline of " + deadline);
  }
}
