package io.backfill.worker.messaging;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ChunkEvent;
import io.backfill.contracts.serde.EventDecodingException;
import io.backfill.contracts.serde.EventJson;
import io.backfill.worker.attempt.AttemptRunner;
import io.backfill.worker.domain.ChunkMetrics;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Consumes {@code backfill.chunks}: each chunk becomes an attempt of its extract run. The record is
 * acknowledged once the attempt's RunStarted is acknowledged by Kafka — from then on the ledger
 * owns the run, and a retry re-reads the chunk by the coordinates in RunStarted
 * (docs/decisions/0011-worker-acknowledgement-and-back-pressure.md). A record that is not a valid
 * chunk is nacked to {@code backfill.chunks.dlq} with the reason.
 *
 * <p>It acks and nacks itself instead of throwing, so each failure is logged once, with its
 * context, by the class that knows it, not again by SmallRye.
 */
@ApplicationScoped
public class ChunksConsumer {

  private static final Logger LOG = Logger.getLogger(ChunksConsumer.class);

  private final AttemptRunner runner;
  private final ChunkMetrics metrics;

  ChunksConsumer(AttemptRunner runner, ChunkMetrics metrics) {
    this.runner = runner;
    this.metrics = metrics;
  }

  @Incoming("backfill-chunks")
  @Blocking
  public CompletionStage<Void> onChunk(Message<byte[]> record) {
    Chunk chunk;
    try {
      chunk = decode(record);
    } catch (RuntimeException e) {
      return record.nack(e);
    }
    MDC.put("tenantId", chunk.tenantId());
    MDC.put("jobId", chunk.jobId().value());
    MDC.put("runId", chunk.runId().value());
    try {
      // Blocks while every attempt slot is busy: the channel then stops requesting records.
      AttemptRunner.Started started = runner.startUnlessStarted(chunk, coordinates(record));
      if (started.attempt() == null) {
        metrics.chunkSkipped();
        LOG.infof(
            "chunk %d of job %s (run %s, tenant %s) was started already by attempt %s; skipped"
                + " (the ledger retries the run if that attempt died)",
            chunk.seq(), chunk.jobId(), chunk.runId(), chunk.tenantId(), started.earlier());
      }
      return record.ack();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // Shutting down before RunStarted was acknowledged: leave the record unacknowledged, so it
      // is not committed and another worker takes it after the rebalance.
      return new CompletableFuture<>();
    } finally {
      MDC.remove("tenantId");
      MDC.remove("jobId");
      MDC.remove("runId");
    }
  }

  private Chunk decode(Message<byte[]> record) {
    ChunkEvent event;
    try {
      event = EventJson.fromBytes(record.getPayload(), ChunkEvent.class);
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

  private static ChunkCoordinates coordinates(Message<byte[]> record) {
    IncomingKafkaRecordMetadata<?, ?> kafka =
        record
            .getMetadata(IncomingKafkaRecordMetadata.class)
            .orElseThrow(() -> new IllegalStateException("a chunk record without Kafka metadata"));
    return new ChunkCoordinates(kafka.getTopic(), kafka.getPartition(), kafka.getOffset());
  }

  private static String describe(Message<byte[]> record) {
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
