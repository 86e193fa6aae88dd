package io.backfill.kit.attempt;

/** Unwinds an attempt's work once the attempt was told to stop. */
public class AttemptStoppedException extends RuntimeException {

  private final StopReason reason;

  public AttemptStoppedException(StopReason reason) {
    // No stack trace: it is control flow, thrown at every stop.
    super("attempt stopped: " + reason.tag(), null, false, false);
    this.reason = reason;
  }

  public StopReason reason() {
    return reason;
  }
}
