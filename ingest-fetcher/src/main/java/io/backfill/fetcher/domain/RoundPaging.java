package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.FolderSweep;
import io.backfill.fetcher.graph.GraphMessagePager;
import io.backfill.fetcher.graph.GraphMessagePager.DeltaPage;
import io.backfill.fetcher.graph.GraphSyncStateExpired;
import io.backfill.fetcher.messaging.ChunkPublisher;
import io.backfill.fetcher.persistence.FolderStore;
import io.backfill.fetcher.persistence.FolderStore.Folder;
import io.backfill.fetcher.persistence.FollowStore;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.kit.attempt.AttemptStoppedException;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The folders' part of a round (decision 0037): a sweep with an empty listing for each folder gone
 * from the mailbox, then each folder from its stored link (its delta link, or its next link when an
 * earlier attempt of the round stopped in it). Each page with changes is one chunk continuing the
 * job's seqs; after each acknowledged chunk the folder's next link is stored, fenced by the round
 * attempt's id. A 410 on a stored link lists the folder afresh, and the fresh listing's last chunk
 * carries the folder's sweep.
 */
@ApplicationScoped
public class RoundPaging {

  private static final Logger LOG = Logger.getLogger(RoundPaging.class);

  private final FollowStore store;
  private final FolderStore folderStore;
  private final FolderSync folderSync;
  private final GraphMessagePager pager;
  private final ChunkPublisher chunks;
  private final FollowMetrics metrics;
  private final TransientRetry retry;

  RoundPaging(
      FollowStore store,
      FolderStore folderStore,
      FolderSync folderSync,
      GraphMessagePager pager,
      ChunkPublisher chunks,
      FollowMetrics metrics,
      TransientRetry retry) {
    this.store = store;
    this.folderStore = folderStore;
    this.folderSync = folderSync;
    this.pager = pager;
    this.chunks = chunks;
    this.metrics = metrics;
    this.retry = retry;
  }

  /** Pages every folder of the round not yet done, after the sweeps of gone folders. */
  void folders(FollowAttempt attempt) {
    JobRow job = attempt.job();
    List<Folder> folders = folderSync.forRound(attempt);
    for (Folder folder : folders) {
      if (folder.gone()) {
        sweepGone(attempt, folder);
      }
    }
    for (Folder folder : folders) {
      if (!folder.gone() && folder.doneRound() < attempt.round().round()) {
        folder(attempt, folder);
      }
    }
    LOG.debugf("round %d of job %s listed its folders", attempt.round().round(), job.jobId());
  }

  /** The folder is gone: a chunk with no messages whose sweep removes all its documents. */
  private void sweepGone(FollowAttempt attempt, Folder folder) {
    attempt.checkNotStopped();
    int seq = attempt.seqs + 1;
    chunks.publish(
        Chunk.ofFollowRound(
            attempt.tenantId(),
            attempt.jobId(),
            seq,
            attempt.round().round(),
            List.of(),
            List.of(),
            new FolderSweep(folder.folderId(), seq)));
    published(attempt, seq, 0, 0);
    LOG.infof(
        "folder %s is gone: swept at seq %d (%s)", folder.folderId(), seq, attempt.describe());
    Optional<String> state =
        retry.call(
            "checkpoint",
            attempt.describe(),
            () ->
                QuarkusTransaction.requiringNew()
                    .call(
                        () -> {
                          Optional<String> s = checkpoint(attempt, null, null, null, null);
                          if (s.isPresent()) {
                            folderStore.dropFolder(attempt.jobId(), folder.folderId());
                          }
                          return s;
                        }));
    afterCheckpoint(attempt, state);
  }

  /** One folder's part of the round, from its stored link to its new delta link. */
  private void folder(FollowAttempt attempt, Folder folder) {
    JobRow job = attempt.job();
    String freshUrl = pager.deltaFirstUrl(job.mailbox(), folder.folderId(), job.windowFrom());
    String url;
    boolean fresh;
    Integer since = folder.sweepSince();
    if (folder.nextLink() != null) {
      url = folder.nextLink();
      fresh = folder.deltaLink() == null && since != null;
    } else if (folder.deltaLink() != null) {
      url = folder.deltaLink();
      fresh = false;
    } else {
      url = freshUrl;
      fresh = true;
      since = null;
    }
    while (true) {
      attempt.checkNotStopped();
      DeltaPage page;
      try {
        page = pager.fetchDelta(url, job.tenantId(), job.mailbox(), folder.folderId(), attempt);
      } catch (GraphSyncStateExpired expired) {
        if (url.equals(freshUrl)) {
          throw expired;
        }
        LOG.warnf(
            "the stored link of folder %s expired (410): listing it afresh with a sweep (%s)",
            folder.folderId(), attempt.describe());
        metrics.resynced();
        attempt.resynced++;
        retry.run(
            "follow_store",
            "follow",
            () ->
                QuarkusTransaction.requiringNew()
                    .run(() -> folderStore.resetFolder(job.jobId(), folder.folderId())));
        url = freshUrl;
        fresh = true;
        since = null;
        continue;
      }
      boolean end = page.deltaLink() != null;
      int entries = page.messages().size() + page.removals().size();
      if (entries > 0 || (fresh && end)) {
        int seq = attempt.seqs + 1;
        if (fresh && since == null) {
          since = seq;
        }
        FolderSweep sweep = fresh && end ? new FolderSweep(folder.folderId(), since) : null;
        chunks.publish(
            Chunk.ofFollowRound(
                job.tenantId(),
                job.jobId(),
                seq,
                attempt.round().round(),
                page.messages(),
                page.removals(),
                sweep));
        published(attempt, seq, page.messages().size(), page.removals().size());
      }
      Integer sinceNow = fresh ? since : null;
      Optional<String> state =
          retry.call(
              "checkpoint",
              attempt.describe(),
              () ->
                  QuarkusTransaction.requiringNew()
                      .call(
                          () ->
                              checkpoint(
                                  attempt,
                                  folder.folderId(),
                                  end ? null : page.nextLink(),
                                  page.deltaLink(),
                                  sinceNow)));
      afterCheckpoint(attempt, state);
      if (end) {
        return;
      }
      url = page.nextLink();
    }
  }

  private void published(FollowAttempt attempt, int seq, int listed, int removed) {
    attempt.seqs = seq;
    attempt.chunks++;
    if (attempt.firstSeq == null) {
      attempt.firstSeq = seq;
    }
    attempt.listed += listed;
    attempt.removed += removed;
    metrics.changes(listed, removed);
  }

  private Optional<String> checkpoint(
      FollowAttempt attempt, String folderId, String next, String delta, Integer since) {
    return store.checkpoint(
        attempt.jobId(),
        attempt.attemptId(),
        attempt.seqs,
        attempt.listed,
        attempt.removed,
        attempt.resynced,
        attempt.requests,
        attempt.firstSeq,
        folderId,
        next,
        delta,
        since,
        attempt.round().round());
  }

  /**
   * Fenced → superseded; a Pause or Cancel taken by any instance stops the round after its page.
   */
  private static void afterCheckpoint(FollowAttempt attempt, Optional<String> state) {
    if (state.isEmpty()) {
      throw new AttemptStoppedException(StopReason.SUPERSEDED);
    }
    attempt.progressed();
    if (state.get().equals("paused")) {
      attempt.stop(StopReason.PAUSED);
    } else if (state.get().equals("ended")) {
      attempt.stop(StopReason.CANCELLED);
    }
  }
}
