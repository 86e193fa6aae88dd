package io.backfill.kit.attempt;

/** The service's meters for what the lifecycle does; every method may be called on any thread. */
public interface AttemptListener {

  AttemptListener NONE = new AttemptListener() {};

  /** A heartbeat was acknowledged by the broker (true) or failed (false). */
  default void heartbeat(boolean acknowledged) {}

  /** A RunStarted or final event of the given type was not acknowledged. */
  default void publishFailed(String eventType) {}
}
