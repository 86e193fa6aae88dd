package io.backfill.worker.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.worker.persistence.DocumentStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Writes a chunk's messages as documents, all in one transaction: either every message of the chunk
 * is written or none is. The upserts are keyed by (tenant, message id), so a chunk delivered again
 * leaves the same rows with the same content and only counts the extraction.
 */
@ApplicationScoped
public class DocumentWriter {

  private static final Logger LOG = Logger.getLogger(DocumentWriter.class);

  private final DocumentStore store;
  private final ChunkMetrics metrics;

  DocumentWriter(DocumentStore store, ChunkMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
  }

  public void write(Chunk chunk) {
    try {
      // The transaction is opened here so a failure is caught after its rollback, commit included.
      QuarkusTransaction.requiringNew().run(() -> store.upsertAll(chunk));
    } catch (RuntimeException e) {
      metrics.chunkFailed();
      LOG.errorf(
          e,
          "chunk %d of job %s (run %s, tenant %s, %d messages) was not written",
          chunk.seq(),
          chunk.jobId(),
          chunk.runId(),
          chunk.tenantId(),
          chunk.messages().size());
      throw e;
    }
    metrics.chunkExtracted(chunk.messages().size());
    LOG.debugf(
        "chunk %d of job %s (run %s, tenant %s): %d documents written",
        chunk.seq(), chunk.jobId(), chunk.runId(), chunk.tenantId(), chunk.messages().size());
  }
}
