package io.backfill.worker.domain;

import io.backfill.contracts.event.LlmStatus;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's counters: chunks and attempts by outcome, messages written, LLM outcomes, and every
 * failed send to Kafka (heartbeats included).
 */
@ApplicationScoped
public class ChunkMetrics {

  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();

  ChunkMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("backfill_worker_attempts_in_flight", inFlight);
  }

  public void chunkExtracted(int messageCount) {
    registry.counter("backfill_worker_chunks_total", "outcome", "extracted").increment();
    registry.counter("backfill_worker_messages_total").increment(messageCount);
  }

  /** A chunk record that could not be used (undecodable) or a chunk whose attempt failed. */
  public void chunkFailed() {
    registry.counter("backfill_worker_chunks_total", "outcome", "failed").increment();
  }

  /** A chunk whose run this worker completed already. */
  public void chunkSkipped() {
    registry.counter("backfill_worker_chunks_total", "outcome", "skipped").increment();
  }

  /** An attempt ended: completed, failed, deadline, self_fenced or timed_out. */
  public void attemptEnded(String outcome) {
    registry.counter("backfill_worker_attempts_total", "outcome", outcome).increment();
  }

  public void attemptStarted() {
    inFlight.incrementAndGet();
  }

  public void attemptReleased() {
    inFlight.decrementAndGet();
  }

  public void heartbeatFailed() {
    registry.counter("backfill_worker_heartbeat_failures_total").increment();
  }

  /** A run event or result that Kafka did not acknowledge in time. */
  public void publishFailed(String eventType) {
    registry.counter("backfill_worker_publish_failures_total", "event", eventType).increment();
  }

  /**
   * One outcome of the LLM phase: per call (ok, repaired, empty_content, invalid_json,
   * rate_limited, server_error, timeout, transport_error, invalid_key, rejected), per message given
   * up at the deadline (deadline), or per chunk without a call (skipped_no_key, no_model).
   */
  public void llmCall(String outcome) {
    registry.counter("llm_outcomes_total", "outcome", outcome).increment();
  }

  /** How a chunk's LLM phase ended, as reported in its ChunkExtracted. */
  public void llmChunk(LlmStatus status) {
    registry
        .counter("backfill_worker_llm_chunks_total", "status", status.name().toLowerCase())
        .increment();
  }
}
