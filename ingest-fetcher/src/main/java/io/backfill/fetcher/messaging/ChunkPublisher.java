package io.backfill.fetcher.messaging;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.serde.EventJson;
import io.backfill.fetcher.config.FetcherConfig;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes chunks on {@code backfill.chunks}, keyed by runId ({@code extract:<jobId>:<seq>}), with
 * zstd and an 8 MiB request limit (application.properties). Returns only after the broker's ack:
 * the checkpoint moves after that, never before.
 */
@ApplicationScoped
public class ChunkPublisher {

  private final MutinyEmitter<String> emitter;
  private final Duration timeout;

  ChunkPublisher(@Channel("backfill-chunks") MutinyEmitter<String> emitter, FetcherConfig config) {
    this.emitter = emitter;
    this.timeout = config.publishTimeout();
  }

  public void publish(Chunk chunk) {
    emitter
        .sendMessage(KafkaRecord.of(chunk.key(), EventJson.toJson(chunk)))
        .await()
        .atMost(timeout);
  }
}
