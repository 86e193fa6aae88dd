package io.backfill.worker.llm;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.LlmOutcome;

/**
 * The LLM phase of a chunk: entities and relationships from the full bodies for tenants with a key.
 * Runs outside any transaction; it must answer within the attempt's deadline and stop when the
 * calling thread is interrupted (the attempt was cancelled).
 */
public interface LlmExtractor {

  /**
   * Extracts from the chunk's messages. Never an empty success: the outcome says what happened.
   *
   * @throws InterruptedException when the attempt was cancelled while waiting for the model
   */
  LlmOutcome extract(Chunk chunk) throws InterruptedException;
}
