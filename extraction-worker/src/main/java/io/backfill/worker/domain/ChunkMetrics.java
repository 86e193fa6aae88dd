package io.backfill.worker.domain;

import io.backfill.contracts.event.ChangeCounts;
import io.backfill.contracts.event.LlmStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's counters: chunks and attempts by outcome, messages, entities, relationships and
 * embeddings written, LLM outcomes and call latency, and every failed send to Kafka (heartbeats
 * included). Created at start-up so the counters a dashboard or alert reads exist at 0 before the
 * first chunk.
 */
@ApplicationScoped
@Startup
public class ChunkMetrics {

  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter messages;
  private final Counter entities;
  private final Counter relationships;
  private final Counter embeddings;
  private final Timer llmCalls;
  private final Counter llmEndpointRefused;
  private final AtomicLong pendingSweeps = new AtomicLong();

  ChunkMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("backfill_worker_attempts_in_flight", inFlight);
    messages = registry.counter("backfill_worker_messages_total");
    entities = registry.counter("backfill_worker_entities_total");
    relationships = registry.counter("backfill_worker_relationships_total");
    embeddings = registry.counter("backfill_worker_embeddings_total");
    registry.counter("backfill_worker_heartbeat_failures_total");
    llmEndpointRefused = registry.counter("backfill_worker_llm_endpoint_refused_total");
    registry.counter("backfill_worker_writes_fenced_total");
    registry.counter("backfill_worker_job_stop_events_total", "type", "JobPaused");
    for (String kind : List.of("created", "updated", "unchanged", "deleted")) {
      registry.counter("backfill_worker_changes_total", "kind", kind);
    }
    registry.gauge("backfill_worker_sweeps_pending", pendingSweeps);
    registry.counter("backfill_worker_sweep_count_failures_total");
    llmCalls =
        Timer.builder("backfill_worker_llm_call")
            .description("One call to the LLM, from sending the request to its answer or failure")
            .publishPercentileHistogram()
            .register(registry);
  }

  /** A chunk's writes committed: what it added, as counted in its ChunkExtracted. */
  public void chunkExtracted(
      int messageCount, long entityCount, long relationshipCount, long embeddingCount) {
    registry.counter("backfill_worker_chunks_total", "outcome", "extracted").increment();
    messages.increment(messageCount);
    entities.increment(entityCount);
    relationships.increment(relationshipCount);
    embeddings.increment(embeddingCount);
  }

  /** What a committed chunk changed: documents created, updated, unchanged and deleted. */
  public void changes(ChangeCounts changes) {
    registry
        .counter("backfill_worker_changes_total", "kind", "created")
        .increment(changes.created());
    registry
        .counter("backfill_worker_changes_total", "kind", "updated")
        .increment(changes.updated());
    registry
        .counter("backfill_worker_changes_total", "kind", "unchanged")
        .increment(changes.unchanged());
    registry
        .counter("backfill_worker_changes_total", "kind", "deleted")
        .increment(changes.deleted());
  }

  /** Folder sweeps (of every job) waiting for their range of chunks to be committed. */
  public void pendingSweeps(long count) {
    pendingSweeps.set(count);
  }

  /** The pending sweeps could not be counted (the database failed at start-up). */
  public void pendingSweepsUnreadable() {
    registry.counter("backfill_worker_sweep_count_failures_total").increment();
  }

  /** How long one LLM call took, answered or not. */
  public void llmCallTook(long nanos) {
    llmCalls.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A chunk record that could not be used (undecodable) or a chunk whose attempt failed. */
  public void chunkFailed() {
    registry.counter("backfill_worker_chunks_total", "outcome", "failed").increment();
  }

  /** A chunk whose run this worker completed already. */
  public void chunkSkipped() {
    registry.counter("backfill_worker_chunks_total", "outcome", "skipped").increment();
  }

  /** Whether a chunk's run was started already could not be read (the database failed). */
  public void startCheckFailed() {
    registry.counter("backfill_worker_start_check_failures_total").increment();
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

  /** A chunk whose LLM base URL the egress rules refused: no call was made to it. */
  public void llmEndpointRefused() {
    llmEndpointRefused.increment();
  }

  /** A chunk ended without work (or stopped mid-work) because its job was paused or cancelled. */
  public void chunkStopped(String reason) {
    registry.counter("backfill_worker_chunks_total", "outcome", "stopped").increment();
    registry.counter("backfill_worker_attempts_total", "outcome", "stopped_" + reason).increment();
  }

  /** A chunk's write refused because a newer attempt of its run holds the run's lease. */
  public void writeFenced() {
    registry.counter("backfill_worker_writes_fenced_total").increment();
  }

  /** A database operation retried after a transient failure (write_chunk, take_lease, ...). */
  public void transientRetry(String operation) {
    registry.counter("backfill_worker_transient_retries_total", "operation", operation).increment();
  }

  /** A job.events record applied to the stop states (JobPaused, JobCancelled, JobResumed). */
  public void jobStopEvent(String type) {
    registry.counter("backfill_worker_job_stop_events_total", "type", type).increment();
  }

  /** The stored stop state of a job could not be read before a chunk started. */
  public void jobStateUnreadable() {
    registry.counter("backfill_worker_job_state_read_failures_total").increment();
  }
}
