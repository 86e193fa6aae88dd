package io.backfill.kit.attempt;

import io.backfill.contracts.event.RunEvent;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How an attempt ends. The lifecycle asks for the final event only once the attempt's heartbeats
 * have stopped, so the lane's bookkeeping in {@link #finalEvent()} (releasing a job row, sending a
 * result before the completion) also happens after the last heartbeat.
 */
public interface Ending {

  /** The run event that ends the attempt, or empty when the attempt is fenced and says nothing. */
  Optional<RunEvent> finalEvent();

  /** After the final event was published: acknowledged by the broker or not. */
  default void afterwards(boolean acknowledged) {}

  static Ending of(RunEvent event) {
    return () -> Optional.of(event);
  }

  /** Nothing is published: the ledger or a newer attempt owns the run. */
  static Ending silent() {
    return Optional::empty;
  }

  /** The final event is decided after the last heartbeat. */
  static Ending deciding(Supplier<Optional<RunEvent>> decide) {
    return decide::get;
  }
}
