package io.backfill.gateway.messaging;

import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.ExtractionResultEvent;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.domain.RunProjection;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Consumes {@code extraction.results} into the per-chunk results behind a job's chunksDone,
 * messagesExtracted and counts. Unusable records go to {@code extraction.results.dlq}.
 */
@ApplicationScoped
public class ExtractionResultsConsumer {

  private final RunProjection projection;
  private final RecordFailures failures;

  ExtractionResultsConsumer(RunProjection projection, RecordFailures failures) {
    this.projection = projection;
    this.failures = failures;
  }

  @Incoming("extraction-results")
  @Blocking
  public CompletionStage<Void> onResult(Message<byte[]> record) {
    ExtractionResultEvent event = null;
    try {
      event = EventJson.fromBytes(record.getPayload(), ExtractionResultEvent.class);
      if (event instanceof ChunkExtracted extracted) {
        TransientRetry.run("projecting " + extracted.eventId(), () -> projection.apply(extracted));
      }
      return record.ack();
    } catch (RuntimeException e) {
      return failures.deadLetter(
          Topics.EXTRACTION_RESULTS,
          record,
          event == null ? null : event.tenantId(),
          event == null ? null : "job " + event.jobId(),
          e);
    }
  }
}
