package io.backfill.gateway.messaging;

import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.domain.RunProjection;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Consumes {@code run.control} (the ledger's timeouts with their diagnosis, stalls, retries and
 * exhausted runs) into the run and attempt views. Unusable records go to {@code run.control.dlq}.
 */
@ApplicationScoped
public class RunControlConsumer {

  private final RunProjection projection;
  private final RecordFailures failures;

  RunControlConsumer(RunProjection projection, RecordFailures failures) {
    this.projection = projection;
    this.failures = failures;
  }

  @Incoming("run-control")
  @Blocking
  public CompletionStage<Void> onRunControl(Message<byte[]> record) {
    RunControlEvent event = null;
    try {
      event = EventJson.fromBytes(record.getPayload(), RunControlEvent.class);
      RunControlEvent decoded = event;
      TransientRetry.run("projecting " + event.eventId(), () -> projection.apply(decoded));
      return record.ack();
    } catch (RuntimeException e) {
      return failures.deadLetter(
          Topics.RUN_CONTROL,
          record,
          event == null ? null : event.tenantId(),
          event == null ? null : "run " + event.runId(),
          e);
    }
  }
}
