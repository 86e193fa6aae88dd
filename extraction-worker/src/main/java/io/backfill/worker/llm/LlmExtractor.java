package io.backfill.worker.llm;

import io.backfill.contracts.event.Chunk;

/**
 * The LLM phase of a chunk: entities and relationships from the full bodies for tenants with a key.
 * Runs outside any transaction; it must answer by its deadline and stop when the calling thread is
 * interrupted (the attempt was cancelled).
 */
public interface LlmExtractor {

  /**
   * Extracts from the chunk's messages. Never an empty success: the outcome says what happened.
   *
   * @param deadlineNanos the {@link System#nanoTime()} by which the phase ends, answered or not
   * @throws InterruptedException when the attempt was cancelled while waiting for the model
   */
  LlmResult extract(Chunk chunk, long deadlineNanos) throws InterruptedException;
}
