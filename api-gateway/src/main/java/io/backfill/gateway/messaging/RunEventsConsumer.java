package io.backfill.gateway.messaging;

import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.domain.HeartbeatCoalescer;
import io.backfill.gateway.domain.RunProjection;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code run.events} into the attempt views and the fleet, a polled batch at a time
 * ({@link BatchProjection}): heartbeats are coalesced in memory ({@link HeartbeatCoalescer}),
 * everything else is projected in one transaction per batch. A record that cannot be used goes to
 * {@code run.events.dlq}.
 */
@ApplicationScoped
public class RunEventsConsumer {

  private final BatchProjection batches;
  private final HeartbeatCoalescer heartbeats;
  private final BatchProjection.Topic<RunEvent> topic;

  RunEventsConsumer(
      RunProjection projection, HeartbeatCoalescer heartbeats, BatchProjection batches) {
    this.batches = batches;
    this.heartbeats = heartbeats;
    this.topic =
        new BatchProjection.Topic<>(
            Topics.RUN_EVENTS,
            RunEvent.class,
            event -> !(event instanceof RunHeartbeat),
            projection::apply,
            event -> "run " + event.runId() + ", attempt " + event.attemptId());
  }

  @Incoming("run-events")
  @Blocking
  public CompletionStage<Void> onRunEvents(KafkaRecordBatch<String, byte[]> batch) {
    return batches.project(topic, batch, event -> heartbeats.offer((RunHeartbeat) event));
  }
}
