package io.backfill.gateway.messaging;

import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.domain.HeartbeatCoalescer;
import io.backfill.gateway.domain.RunProjection;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Consumes {@code run.events} into the attempt views and the fleet: heartbeats are coalesced in
 * memory ({@link HeartbeatCoalescer}), everything else is projected at once. A record that cannot
 * be used goes to {@code run.events.dlq}.
 */
@ApplicationScoped
public class RunEventsConsumer {

  private final RunProjection projection;
  private final HeartbeatCoalescer heartbeats;
  private final RecordFailures failures;

  RunEventsConsumer(
      RunProjection projection, HeartbeatCoalescer heartbeats, RecordFailures failures) {
    this.projection = projection;
    this.heartbeats = heartbeats;
    this.failures = failures;
  }

  @Incoming("run-events")
  @Blocking
  public CompletionStage<Void> onRunEvent(Message<byte[]> record) {
    RunEvent event = null;
    try {
      event = EventJson.fromBytes(record.getPayload(), RunEvent.class);
      if (event instanceof RunHeartbeat heartbeat) {
        heartbeats.offer(heartbeat);
      } else {
        RunEvent decoded = event;
        TransientRetry.run("projecting " + event.eventId(), () -> projection.apply(decoded));
      }
      return record.ack();
    } catch (RuntimeException e) {
      return failures.deadLetter(
          Topics.RUN_EVENTS,
          record,
          event == null ? null : event.tenantId(),
          event == null ? null : "run " + event.runId() + ", attempt " + event.attemptId(),
          e);
    }
  }
}
