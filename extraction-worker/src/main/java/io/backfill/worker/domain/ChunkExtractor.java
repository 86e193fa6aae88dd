package io.backfill.worker.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.worker.attempt.AttemptCancelledException;
import io.backfill.worker.attempt.ChunkAttempt;
import io.backfill.worker.config.LlmConfig;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.embedding.MessageEmbedder;
import io.backfill.worker.embedding.MessageEmbedder.MessageEmbedding;
import io.backfill.worker.llm.LlmExtractor;
import io.backfill.worker.llm.LlmResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The work of one attempt, in phases reported as progress: rules, llm, embeddings, writing. No
 * transaction is held while the LLM works; the writes come last, in one transaction.
 */
@ApplicationScoped
public class ChunkExtractor {

  private final RuleBasedExtractor rules;
  private final LlmExtractor llm;
  private final MessageEmbedder embedder;
  private final ChunkWriter writer;
  private final WorkerConfig workerConfig;
  private final LlmConfig llmConfig;

  ChunkExtractor(
      RuleBasedExtractor rules,
      LlmExtractor llm,
      MessageEmbedder embedder,
      ChunkWriter writer,
      WorkerConfig workerConfig,
      LlmConfig llmConfig) {
    this.workerConfig = workerConfig;
    this.llmConfig = llmConfig;
    this.rules = rules;
    this.llm = llm;
    this.embedder = embedder;
    this.writer = writer;
  }

  /** What an attempt wrote. */
  public record Extraction(
      int messages, int entities, int relationships, int embeddings, LlmOutcome llm) {}

  public Extraction extract(ChunkAttempt attempt) {
    Chunk chunk = attempt.chunk();
    attempt.progress(0, "rules");
    ExtractedGraph ruleGraph = rules.extract(chunk);
    attempt.checkNotCancelled();
    attempt.progress(0, "llm");
    LlmResult llmResult;
    try {
      llmResult = llm.extract(chunk, llmDeadline(attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AttemptCancelledException(
          attempt.cancelReason() == null ? "interrupted" : attempt.cancelReason());
    }
    attempt.checkNotCancelled();
    LlmOutcome outcome = llmResult.outcome();
    ExtractedGraph graph = LlmGraph.merge(ruleGraph, llmResult.answers());
    attempt.progress(0, "embeddings");
    List<MessageEmbedding> vectors =
        embedder.embed(
            chunk.messages(),
            done -> {
              attempt.progress(done, "embeddings");
              attempt.checkNotCancelled();
            });
    attempt.progress(0, "writing");
    writer.write(attempt, graph, vectors);
    attempt.progress(chunk.messages().size(), "written");
    return new Extraction(
        chunk.messages().size(),
        graph.entities().size(),
        graph.relationships().size(),
        vectors.size(),
        outcome);
  }

  /**
   * The LLM phase ends at its own deadline, and in any case {@code reserve} before the attempt's:
   * then the embeddings and the write still fit, and the outcome is reported instead of lost.
   */
  private long llmDeadline(ChunkAttempt attempt) {
    long own = System.nanoTime() + llmConfig.chunkDeadline().toNanos();
    long attemptDeadline =
        attempt.createdNanos()
            + workerConfig.chunkDeadline().toNanos()
            - llmConfig.reserve().toNanos();
    return attemptDeadline - own < 0 ? attemptDeadline : own;
  }
}
