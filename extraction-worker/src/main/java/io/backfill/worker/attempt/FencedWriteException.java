package io.backfill.worker.attempt;

/**
 * A chunk's write was refused because a newer attempt of its run took the run's lease: this attempt
 * is no longer the run's current one, so its transaction rolls back and nothing of it stays.
 */
public class FencedWriteException extends RuntimeException {

  public FencedWriteException(long ownToken, String holder) {
    super(
        "write fenced: the run's lease is held by "
            + holder
            + ", this attempt's token is "
            + ownToken);
  }
}
