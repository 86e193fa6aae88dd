package io.backfill.gateway.messaging;

import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.domain.RunProjection;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code run.control} (the ledger's timeouts with their diagnosis, stalls, retries and
 * exhausted runs) into the run and attempt views, one transaction per polled batch ({@link
 * BatchProjection}). Unusable records go to {@code run.control.dlq}.
 */
@ApplicationScoped
public class RunControlConsumer {

  private final BatchProjection batches;
  private final BatchProjection.Topic<RunControlEvent> topic;

  RunControlConsumer(RunProjection projection, BatchProjection batches) {
    this.batches = batches;
    this.topic =
        new BatchProjection.Topic<>(
            Topics.RUN_CONTROL,
            RunControlEvent.class,
            event -> true,
            projection::apply,
            event -> "run " + event.runId());
  }

  @Incoming("run-control")
  @Blocking
  public CompletionStage<Void> onRunControl(KafkaRecordBatch<String, byte[]> batch) {
    return batches.project(topic, batch, event -> {});
  }
}
