package io.backfill.fetcher.domain;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.RunEvent;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import java.util.Optional;
import java.util.function.Supplier;

/** The endings the fetch and follow lanes build alike. */
final class Endings {

  private Endings() {}

  /**
   * The final event decided after the last heartbeat; {@code afterwards} runs once it was sent,
   * whether or not it was acknowledged.
   */
  static Ending decided(Supplier<Optional<RunEvent>> decide, Runnable afterwards) {
    return new Ending() {
      @Override
      public Optional<RunEvent> finalEvent() {
        return decide.get();
      }

      @Override
      public void afterwards(boolean acknowledged) {
        afterwards.run();
      }
    };
  }

  /** The error of an attempt handed back by shutdown, self-fencing or a deadline (retryable). */
  static ErrorInfo handedBack(StopReason reason, String message) {
    return ErrorInfo.coded(
        switch (reason) {
          case SHUTDOWN -> "Shutdown";
          case SELF_FENCED -> "SelfFenced";
          default -> "DeadlineExceeded";
        },
        message);
  }
}
