package io.backfill.gateway.messaging;

import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.ExtractionResultEvent;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.domain.RunProjection;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code extraction.results} into the per-chunk results behind a job's chunksDone,
 * messagesExtracted and counts, one transaction per polled batch ({@link BatchProjection}).
 * Unusable records go to {@code extraction.results.dlq}; results other than ChunkExtracted are read
 * and left.
 */
@ApplicationScoped
public class ExtractionResultsConsumer {

  private final BatchProjection batches;
  private final BatchProjection.Topic<ExtractionResultEvent> topic;

  ExtractionResultsConsumer(RunProjection projection, BatchProjection batches) {
    this.batches = batches;
    this.topic =
        new BatchProjection.Topic<>(
            Topics.EXTRACTION_RESULTS,
            ExtractionResultEvent.class,
            event -> event instanceof ChunkExtracted,
            event -> projection.apply((ChunkExtracted) event),
            event -> "job " + event.jobId());
  }

  @Incoming("extraction-results")
  @Blocking
  public CompletionStage<Void> onResults(KafkaRecordBatch<String, byte[]> batch) {
    return batches.project(topic, batch, event -> {});
  }
}
