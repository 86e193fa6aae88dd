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
 *
 * <p>The value goes out as the UTF-8 bytes Jackson writes: a chunk of 100 bodies decoded to a
 * String and encoded back by a StringSerializer cost as much CPU as writing it (JFR P2).
 */
@ApplicationScoped
public class ChunkPublisher {

  private final MutinyEmitter<byte[]> emitter;
  private final Duration timeout;

  ChunkPublisher(@Channel("backfill-chunks") MutinyEmitter<byte[]> emitter, FetcherConfig config) {
    this.emitter = emitter;
    this.timeout = config.publishTimeout();
  }

  public void publish(Chunk chunk) {
    emitter
        .sendMessage(KafkaRecord.of(chunk.key(), EventJson.toBytes(chunk)))
        .await()
        .atMost(timeout);
  }
}
