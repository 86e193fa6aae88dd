package io.backfill.fetcher.domain;

/** Unwinds a fetch attempt's paging loop when the attempt was told to stop. */
public class AttemptStopped extends RuntimeException {

  private final StopReason reason;

  public AttemptStopped(StopReason reason) {
    super("attempt stopped: " + reason.tag(), null, false, false);
    this.reason = reason;
  }

  public StopReason reason() {
    return reason;
  }
}
