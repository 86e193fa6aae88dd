package io.backfill.worker.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.worker.attempt.ChunkAttempt;
import io.backfill.worker.attempt.FencedWriteException;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.embedding.MessageEmbedder.MessageEmbedding;
import io.backfill.worker.persistence.CompletedRunStore;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.persistence.EmbeddingStore;
import io.backfill.worker.persistence.GraphStore;
import io.backfill.worker.persistence.RunLeaseStore;
import io.backfill.worker.persistence.TransientRetry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.OptionalLong;

/**
 * Writes everything a chunk yields in one transaction: its documents, entities, mentions,
 * relationships and embeddings, and the record that its run completed. Every statement is an upsert
 * on natural keys, so a chunk written again leaves the same rows. Any failing statement rolls the
 * whole transaction back and the exception reaches the attempt, which fails retryable: nothing
 * later runs on an aborted transaction.
 *
 * <p>The transaction commits only while the attempt still holds its run's lease (the fencing token
 * it took when it started): the last statement locks the lease row and compares tokens, so an
 * attempt superseded by a newer one, in this process or another, leaves no row behind. A transient
 * database failure runs the whole transaction again, within the attempt's deadline.
 */
@ApplicationScoped
public class ChunkWriter {

  private final DocumentStore documents;
  private final GraphStore graphs;
  private final EmbeddingStore embeddings;
  private final CompletedRunStore completedRuns;
  private final RunLeaseStore leases;
  private final TransientRetry retry;
  private final WorkerConfig config;

  ChunkWriter(
      DocumentStore documents,
      GraphStore graphs,
      EmbeddingStore embeddings,
      CompletedRunStore completedRuns,
      RunLeaseStore leases,
      TransientRetry retry,
      WorkerConfig config) {
    this.leases = leases;
    this.retry = retry;
    this.config = config;
    this.documents = documents;
    this.graphs = graphs;
    this.embeddings = embeddings;
    this.completedRuns = completedRuns;
  }

  public void write(ChunkAttempt attempt, ExtractedGraph graph, List<MessageEmbedding> vectors) {
    Chunk chunk = attempt.chunk();
    long deadline = attempt.createdNanos() + config.chunkDeadline().toNanos();
    retry.run(
        "write_chunk", attempt.describe(), deadline, () -> writeOnce(attempt, graph, vectors));
  }

  private void writeOnce(
      ChunkAttempt attempt, ExtractedGraph graph, List<MessageEmbedding> vectors) {
    Chunk chunk = attempt.chunk();
    attempt.checkNotCancelled();
    try {
      // A new transaction opened here, so a failure (the commit's included) surfaces after
      // rollback.
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
                // Taken last, so the lease row stays locked only for the commit.
                OptionalLong holder =
                    leases.lockCurrentToken(chunk.runId(), config.leaseLockTimeout());
                if (holder.isEmpty() || holder.getAsLong() != attempt.leaseToken()) {
                  throw new FencedWriteException(
                      attempt.leaseToken(),
                      holder.isEmpty() ? "no attempt" : "token " + holder.getAsLong());
                }
                // Last word before the commit: a fenced or expired attempt must leave no trace.
                attempt.beginCommit();
              });
    } catch (RuntimeException e) {
      // Rolled back: a pause or cancel may stop the attempt again before a retry.
      attempt.endCommit();
      throw e;
    }
  }
}
