package io.backfill.worker.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.worker.attempt.ChunkAttempt;
import io.backfill.worker.embedding.MessageEmbedder.MessageEmbedding;
import io.backfill.worker.persistence.CompletedRunStore;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.persistence.EmbeddingStore;
import io.backfill.worker.persistence.GraphStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Writes everything a chunk yields in one transaction: its documents, entities, mentions,
 * relationships and embeddings, and the record that its run completed. Every statement is an upsert
 * on natural keys, so a chunk written again leaves the same rows. Any failing statement rolls the
 * whole transaction back and the exception reaches the attempt, which fails retryable: nothing
 * later runs on an aborted transaction.
 */
@ApplicationScoped
public class ChunkWriter {

  private final DocumentStore documents;
  private final GraphStore graphs;
  private final EmbeddingStore embeddings;
  private final CompletedRunStore completedRuns;

  ChunkWriter(
      DocumentStore documents,
      GraphStore graphs,
      EmbeddingStore embeddings,
      CompletedRunStore completedRuns) {
    this.documents = documents;
    this.graphs = graphs;
    this.embeddings = embeddings;
    this.completedRuns = completedRuns;
  }

  public void write(ChunkAttempt attempt, ExtractedGraph graph, List<MessageEmbedding> vectors) {
    Chunk chunk = attempt.chunk();
    // A new transaction opened here, so a failure (the commit's included) surfaces after rollback.
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              documents.upsertAll(chunk);
              attempt.checkNotCancelled();
              graphs.upsert(chunk.tenantId(), graph);
              embeddings.upsert(chunk.tenantId(), vectors);
              completedRuns.record(
                  chunk.tenantId(),
                  chunk.runId(),
                  attempt.attemptId(),
                  chunk.messages().size(),
                  graph.entities().size(),
                  graph.relationships().size());
              // Last word before the commit: a fenced or expired attempt must leave no trace.
              attempt.checkNotCancelled();
            });
  }
}
