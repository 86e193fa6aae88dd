package io.backfill.kit.attempt;

import io.backfill.contracts.event.Event;
import java.util.concurrent.CompletionStage;

/**
 * How the lifecycle reaches Kafka: each service adapts its own producer. A send must hand the
 * record to the producer before it returns (so a heartbeat sent before the final event is ordered
 * before it on the run's partition) and must fail within the producer's bounded timeout.
 */
public interface AttemptPublisher {

  /** Sends the event; the stage completes when the broker acknowledged it, or fails. */
  CompletionStage<Void> send(String topic, String key, Event event);
}
