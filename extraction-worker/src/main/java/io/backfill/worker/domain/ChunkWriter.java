package io.backfill.worker.domain;

import io.backfill.contracts.event.ChangeCounts;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.RemovedMessage;
import io.backfill.worker.attempt.ChunkAttempt;
import io.backfill.worker.attempt.FencedWriteException;
import io.backfill.worker.attempt.OutdatedPlanException;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.MailChanges.Kind;
import io.backfill.worker.embedding.MessageEmbedder.MessageEmbedding;
import io.backfill.worker.persistence.ChangeStore;
import io.backfill.worker.persistence.ChangeStore.Stored;
import io.backfill.worker.persistence.ChangeStore.Version;
import io.backfill.worker.persistence.CompletedRunStore;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.persistence.EmbeddingStore;
import io.backfill.worker.persistence.GraphStore;
import io.backfill.worker.persistence.RunLeaseStore;
import io.backfill.worker.persistence.SweepStore;
import io.backfill.worker.persistence.SweepStore.Sweep;
import io.backfill.worker.persistence.TransientRetry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;

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

  private static final Logger LOG = Logger.getLogger(ChunkWriter.class);

  private final DocumentStore documents;
  private final GraphStore graphs;
  private final EmbeddingStore embeddings;
  private final CompletedRunStore completedRuns;
  private final RunLeaseStore leases;
  private final TransientRetry retry;
  private final WorkerConfig config;
  private final ChangeStore changes;
  private final SweepStore sweeps;
  private final ChunkMetrics metrics;

  ChunkWriter(
      ChangeStore changes,
      SweepStore sweeps,
      ChunkMetrics metrics,
      DocumentStore documents,
      GraphStore graphs,
      EmbeddingStore embeddings,
      CompletedRunStore completedRuns,
      RunLeaseStore leases,
      TransientRetry retry,
      WorkerConfig config) {
    this.changes = changes;
    this.sweeps = sweeps;
    this.metrics = metrics;
    this.leases = leases;
    this.retry = retry;
    this.config = config;
    this.documents = documents;
    this.graphs = graphs;
    this.embeddings = embeddings;
    this.completedRuns = completedRuns;
  }

  /** The pending sweeps gauge starts from the database, not at 0. */
  void started(@Observes StartupEvent startup) {
    refreshPendingSweeps("start-up");
  }

  /**
   * Counts the pending sweeps after a commit that registered or checked one. Read after the commit
   * and one read at a time, so the last value set is the newest this process read: counted inside
   * concurrent transactions, an older count could be set last.
   */
  private synchronized void refreshPendingSweeps(String after) {
    try {
      metrics.pendingSweeps(QuarkusTransaction.requiringNew().call(sweeps::pendingSweeps));
    } catch (RuntimeException e) {
      LOG.warnf("pending sweeps could not be counted after %s: %s", after, e.toString());
      metrics.pendingSweepsUnreadable();
    }
  }

  /** What the transaction wrote: the chunk's changes and the rows derived from its messages. */
  public record Written(ChangeCounts changes, int entities, int relationships, int embeddings) {}

  /**
   * Applies the chunk's messages, removals and sweep (decision 0037) in one transaction. {@code
   * extracted} are the messages the attempt extracted ({@code graph}, {@code vectors}); a message
   * found new or changed under the transaction's locks that is not among them throws {@link
   * OutdatedPlanException}, before anything commits.
   */
  public Written write(
      ChunkAttempt attempt,
      Set<String> extracted,
      ExtractedGraph graph,
      List<MessageEmbedding> vectors) {
    long deadline = attempt.createdNanos() + config.chunkDeadline().toNanos();
    Written written =
        retry.call(
            "write_chunk",
            attempt.describe(),
            deadline,
            () -> writeOnce(attempt, extracted, graph, vectors));
    return written;
  }

  private Written writeOnce(
      ChunkAttempt attempt,
      Set<String> extracted,
      ExtractedGraph graph,
      List<MessageEmbedding> vectors) {
    Chunk chunk = attempt.chunk();
    attempt.checkNotCancelled();
    try {
      // A new transaction opened here, so a failure (the commit's included) surfaces after
      // rollback.
      boolean[] sweepsTouched = new boolean[1];
      Written written =
          QuarkusTransaction.requiringNew()
              .call(
                  () -> {
                    Written changed = applyChanges(attempt, extracted, graph, vectors);
                    completedRuns.record(
                        chunk.tenantId(),
                        chunk.runId(),
                        attempt.attemptId(),
                        chunk.messages().size(),
                        changed.entities(),
                        changed.relationships());
                    int swept = applyDueSweeps(attempt, sweepsTouched);
                    // Taken last, so the lease row stays locked only for the commit.
                    OptionalLong holder =
                        leases.lockCurrentToken(chunk.runId(), config.leaseLockTimeout());
                    if (holder.isEmpty() || holder.getAsLong() != attempt.leaseToken()) {
                      throw new FencedWriteException(
                          attempt.leaseToken(),
                          holder.isEmpty() ? "no attempt" : "token " + holder.getAsLong());
                    }
                    // Last word before the commit: a fenced or expired attempt must leave no
                    // trace.
                    attempt.beginCommit();
                    ChangeCounts c = changed.changes();
                    return new Written(
                        new ChangeCounts(
                            c.created(), c.updated(), c.unchanged(), c.deleted() + swept),
                        changed.entities(),
                        changed.relationships(),
                        changed.embeddings());
                  });
      if (sweepsTouched[0]) {
        refreshPendingSweeps(attempt.describe());
      }
      return written;
    } catch (RuntimeException e) {
      // Rolled back: a pause or cancel may stop the attempt again before a retry.
      attempt.endCommit();
      throw e;
    }
  }

  /** The chunk's messages and removals, under locks on their ids. */
  private Written applyChanges(
      ChunkAttempt attempt,
      Set<String> extracted,
      ExtractedGraph graph,
      List<MessageEmbedding> vectors) {
    Chunk chunk = attempt.chunk();
    String tenant = chunk.tenantId();
    UUID job = UUID.fromString(chunk.jobId().value());
    int seq = chunk.seq();
    Set<String> ids = new TreeSet<>();
    chunk.messages().forEach(m -> ids.add(m.id()));
    chunk.removals().forEach(r -> ids.add(r.id()));
    changes.lockMessages(tenant, ids);
    Stored stored = changes.stored(tenant, ids);
    Map<String, Version> versions = stored.versions();

    List<MailMessage> toWrite = new ArrayList<>();
    List<MailMessage> seen = new ArrayList<>();
    Set<String> replaced = new TreeSet<>();
    Set<String> missing = new TreeSet<>();
    int created = 0;
    int updated = 0;
    int unchanged = 0;
    for (MailMessage message : chunk.messages()) {
      Kind kind =
          MailChanges.ofMessage(
              message, job, seq, versions.get(message.id()), stored.tombstonesOf(message.id()));
      switch (kind) {
        case CREATED, UPDATED -> {
          if (!extracted.contains(message.id())) {
            missing.add(message.id());
          } else {
            toWrite.add(message);
            seen.add(message);
            if (kind == Kind.CREATED) {
              created++;
            } else {
              updated++;
              replaced.add(message.id());
            }
          }
        }
        case UNCHANGED -> {
          unchanged++;
          seen.add(message);
        }
        case STALE -> {
          // An older (or the same) chunk than what is stored: nothing changes.
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new OutdatedPlanException(missing);
    }
    Set<String> removed = new TreeSet<>();
    Map<String, String> removedFrom = new TreeMap<>();
    for (RemovedMessage removal : chunk.removals()) {
      removedFrom.put(removal.id(), removal.folderId());
      if (MailChanges.removes(removal, job, seq, versions.get(removal.id()))) {
        removed.add(removal.id());
      }
    }
    Set<String> gone = new TreeSet<>(replaced);
    gone.addAll(removed);
    List<String> orphanCandidates = changes.entitiesMentionedBy(tenant, gone);
    changes.removeExtracted(tenant, replaced, false);
    changes.removeExtracted(tenant, removed, true);
    changes.recordTombstones(tenant, job, seq, removedFrom);
    documents.upsert(chunk, toWrite);
    attempt.checkNotCancelled();
    changes.upsertVersions(tenant, job, seq, seen);
    Set<String> writtenIds = new TreeSet<>();
    toWrite.forEach(m -> writtenIds.add(m.id()));
    ExtractedGraph kept = graph.ofMessages(writtenIds);
    graphs.upsert(tenant, kept);
    List<MessageEmbedding> keptVectors =
        vectors.stream().filter(v -> writtenIds.contains(v.messageId())).toList();
    embeddings.upsert(tenant, keptVectors);
    changes.removeOrphans(tenant, orphanCandidates);
    return new Written(
        new ChangeCounts(created, updated, unchanged, removed.size()),
        kept.entities().size(),
        kept.relationships().size(),
        keptVectors.size());
  }

  /**
   * Registers the chunk's sweep and applies every pending sweep of the job whose range this commit
   * completes. The job's lock serialises this check between the job's chunk commits: the later one
   * reads after the earlier committed, so whichever completes the range applies it, exactly once.
   *
   * @return documents the sweeps removed
   */
  private int applyDueSweeps(ChunkAttempt attempt, boolean[] touched) {
    Chunk chunk = attempt.chunk();
    String tenant = chunk.tenantId();
    UUID job = UUID.fromString(chunk.jobId().value());
    if (chunk.sweep() != null) {
      touched[0] = true;
      sweeps.registerSweep(
          tenant, job, new Sweep(chunk.sweep().folderId(), chunk.sweep().sinceSeq(), chunk.seq()));
      LOG.infof(
          "%s: sweep of folder %s registered for chunks %d..%d; applied once all are committed",
          attempt.describe(), chunk.sweep().folderId(), chunk.sweep().sinceSeq(), chunk.seq());
    }
    changes.lockJob(tenant, job);
    int deleted = 0;
    for (Sweep sweep : sweeps.pendingSweepsCovering(job, chunk.seq())) {
      touched[0] = true;
      int needed = sweep.untilSeq() - sweep.sinceSeq() + 1;
      int committed = sweeps.committedChunks(job, sweep.sinceSeq(), sweep.untilSeq());
      if (committed < needed) {
        LOG.infof(
            "%s: sweep of folder %s (chunks %d..%d) still pending: %d of %d chunks committed",
            attempt.describe(),
            sweep.folderId(),
            sweep.sinceSeq(),
            sweep.untilSeq(),
            committed,
            needed);
        continue;
      }
      List<String> unseen = sweeps.unseenSince(tenant, job, sweep.folderId(), sweep.sinceSeq());
      changes.lockMessages(tenant, unseen);
      // Read again under the locks: a chunk that held one of them may have moved the message.
      unseen = sweeps.unseenSince(tenant, job, sweep.folderId(), sweep.sinceSeq());
      List<String> orphanCandidates = changes.entitiesMentionedBy(tenant, unseen);
      changes.removeExtracted(tenant, unseen, true);
      Map<String, String> removedFrom = new TreeMap<>();
      unseen.forEach(id -> removedFrom.put(id, sweep.folderId()));
      changes.recordTombstones(tenant, job, sweep.untilSeq(), removedFrom);
      changes.removeOrphans(tenant, orphanCandidates);
      sweeps.markApplied(job, sweep, unseen.size());
      deleted += unseen.size();
      LOG.infof(
          "%s: sweep of folder %s (chunks %d..%d) applied: %d documents removed",
          attempt.describe(), sweep.folderId(), sweep.sinceSeq(), sweep.untilSeq(), unseen.size());
    }
    return deleted;
  }
}
