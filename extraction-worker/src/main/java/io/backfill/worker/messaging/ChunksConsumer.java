package io.backfill.worker.messaging;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkEvent;
import io.backfill.contracts.serde.EventDecodingException;
import io.backfill.contracts.serde.EventJson;
import io.backfill.worker.domain.ChunkMetrics;
import io.backfill.worker.domain.DocumentWriter;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Consumes {@code backfill.chunks} into documents. A record that is not a valid chunk, or whose
 * documents could not be written, is nacked and goes to {@code backfill.chunks.dlq} with the reason
 * (see application.properties).
 *
 * <p>It acks and nacks itself instead of throwing, so each failure is logged once, with its
 * context, by the class that knows it (here or {@link DocumentWriter}), not again by SmallRye.
 */
@ApplicationScoped
public class ChunksConsumer {

  private static final Logger LOG = Logger.getLogger(ChunksConsumer.class);

  private final DocumentWriter writer;
  private final ChunkMetrics metrics;

  ChunksConsumer(DocumentWriter writer, ChunkMetrics metrics) {
    this.writer = writer;
    this.metrics = metrics;
  }

  @Incoming("backfill-chunks")
  @Blocking
  public CompletionStage<Void> onChunk(Message<String> record) {
    try {
      Chunk chunk = decode(record);
      // Every log line while writing the chunk carries its ids.
      MDC.put("tenantId", chunk.tenantId());
      MDC.put("jobId", chunk.jobId().value());
      MDC.put("runId", chunk.runId().value());
      writer.write(chunk);
    } catch (RuntimeException e) {
      return record.nack(e);
    } finally {
      MDC.remove("tenantId");
      MDC.remove("jobId");
      MDC.remove("runId");
    }
    return record.ack();
  }

  private Chunk decode(Message<String> record) {
    ChunkEvent event;
    try {
      event = EventJson.fromJson(record.getPayload(), ChunkEvent.class);
    } catch (EventDecodingException e) {
      metrics.chunkFailed();
      // No tenant or job to name: the key (normally the runId) and coordinates find the record.
      LOG.warnf("%s is not a valid chunk, dead-lettering it: %s", describe(record), e.getMessage());
      throw e;
    }
    if (event instanceof Chunk chunk) {
      return chunk;
    }
    throw new IllegalStateException("unhandled chunk event " + event.getClass().getName());
  }

  private static String describe(Message<String> record) {
    return record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(
            kafka ->
                String.format(
                    "record %s-%d@%d (key %s)",
                    kafka.getTopic(), kafka.getPartition(), kafka.getOffset(), kafka.getKey()))
        .orElse("a record");
  }
}
