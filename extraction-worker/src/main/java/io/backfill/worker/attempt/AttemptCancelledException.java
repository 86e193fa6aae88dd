package io.backfill.worker.attempt;

/** The attempt was cancelled (deadline, self-fencing, timed out by the ledger): stop its work. */
public class AttemptCancelledException extends RuntimeException {

  public AttemptCancelledException(String reason) {
    super("attempt cancelled: " + reason);
  }
}
