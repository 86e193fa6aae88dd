package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.id.RunId;
import io.backfill.fetcher.graph.GraphMessagePager;
import io.backfill.fetcher.graph.GraphSyncStateExpired;
import io.backfill.fetcher.messaging.ChunkPublisher;
import io.backfill.fetcher.persistence.FolderStore.Folder;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A followed job's history is the delta initial round of its folders (decision 0037): the one
 * folder asked for, or every folder of the mailbox, each paged from its fresh delta listing (mail
 * received from the window's start on). One chunk per page; the checkpoint is (folder, next link),
 * the next link being the next folder's first page once a folder's listing ended, and each folder's
 * delta link is stored when its listing ends. The last folder's last page is the job's last chunk.
 */
@ApplicationScoped
public class FollowedHistory {

  private static final Logger LOG = Logger.getLogger(FollowedHistory.class);

  private final JobStore store;
  private final GraphMessagePager pager;
  private final ChunkPublisher chunks;
  private final PageProgress progress;
  private final FolderSync folderSync;

  FollowedHistory(
      JobStore store,
      GraphMessagePager pager,
      ChunkPublisher chunks,
      PageProgress progress,
      FolderSync folderSync) {
    this.store = store;
    this.pager = pager;
    this.chunks = chunks;
    this.progress = progress;
    this.folderSync = folderSync;
  }

  /** Pages every folder from the checkpoint to the last folder's last page, or until a stop. */
  void page(FetchAttempt attempt) {
    JobRow job = attempt.job();
    if (PageProgress.alreadyDone(attempt)) {
      return;
    }
    List<String> ids = folderSync.forHistory(job, attempt).stream().map(Folder::folderId).toList();
    int index;
    String url;
    if (attempt.state().nextLink() != null && ids.contains(job.followFolder())) {
      index = ids.indexOf(job.followFolder());
      url = attempt.state().nextLink();
    } else {
      index = 0;
      url = ids.isEmpty() ? null : pager.deltaFirstUrl(job.mailbox(), ids.get(0), job.windowFrom());
    }
    while (true) {
      attempt.checkNotStopped();
      String folderId = index < ids.size() ? ids.get(index) : null;
      GraphMessagePager.DeltaPage page;
      if (folderId == null) {
        // A mailbox without folders: one empty last chunk, so the history completes as usual.
        page = new GraphMessagePager.DeltaPage(List.of(), List.of(), null, "none");
      } else {
        try {
          page = pager.fetchDelta(url, job.tenantId(), job.mailbox(), folderId, attempt);
        } catch (GraphSyncStateExpired expired) {
          // The history took longer than Graph keeps a sync state: the folder is listed again.
          LOG.warnf(
              "folder %s's next link expired (410) during the history: listing it again (%s)",
              folderId, attempt.describe());
          url = pager.deltaFirstUrl(job.mailbox(), folderId, job.windowFrom());
          continue;
        }
      }
      boolean endOfFolder = page.deltaLink() != null;
      boolean lastFolder = index >= ids.size() - 1;
      boolean last = endOfFolder && lastFolder;
      int nextIndex = endOfFolder && !lastFolder ? index + 1 : index;
      String nextUrl =
          !endOfFolder
              ? page.nextLink()
              : last
                  ? null
                  : pager.deltaFirstUrl(job.mailbox(), ids.get(nextIndex), job.windowFrom());
      PagingState before = attempt.state();
      chunks.publish(
          new Chunk(
              UUID.randomUUID(),
              1,
              Instant.now(),
              job.tenantId(),
              job.jobId(),
              RunId.extract(job.jobId(), before.nextSeq()),
              before.nextSeq(),
              page.messages(),
              last,
              null,
              page.removals(),
              null));
      PagingState after = before.after(page.messages().size(), nextUrl);
      String checkpointFolder = nextIndex < ids.size() ? ids.get(nextIndex) : null;
      String endedFolder = endOfFolder ? folderId : null;
      String status =
          progress.checkpointed(
              attempt,
              () ->
                  store.checkpointFollowed(
                      job.jobId(),
                      attempt.attemptId(),
                      after.pages(),
                      after.messages(),
                      checkpointFolder,
                      after.nextLink(),
                      endedFolder,
                      page.deltaLink()),
              after,
              page.messages().size(),
              last);
      if (last) {
        return;
      }
      attempt.stopIfCommanded(status);
      index = nextIndex;
      url = nextUrl;
    }
  }
}
