package io.backfill.worker.domain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** The worker's counters of chunks by outcome and of messages written as documents. */
@ApplicationScoped
public class ChunkMetrics {

  private final Counter extracted;
  private final Counter failed;
  private final Counter messages;

  ChunkMetrics(MeterRegistry registry) {
    this.extracted = registry.counter("backfill_worker_chunks_total", "outcome", "extracted");
    this.failed = registry.counter("backfill_worker_chunks_total", "outcome", "failed");
    this.messages = registry.counter("backfill_worker_messages_total");
  }

  public void chunkExtracted(int messageCount) {
    extracted.increment();
    messages.increment(messageCount);
  }

  public void chunkFailed() {
    failed.increment();
  }
}
