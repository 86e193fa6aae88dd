package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.fetcher.graph.GraphMessagePage;
import io.backfill.fetcher.graph.GraphMessagePager;
import io.backfill.fetcher.messaging.ChunkPublisher;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The pages of a job's window ({@code /messages}), one chunk each: fetch (retries inside), publish
 * the chunk and wait for the ack, move the checkpoint (fenced by the attempt id), JobFetchProgress.
 */
@ApplicationScoped
public class WindowPaging {

  private final JobStore store;
  private final GraphMessagePager pager;
  private final ChunkPublisher chunks;
  private final PageProgress progress;

  WindowPaging(
      JobStore store, GraphMessagePager pager, ChunkPublisher chunks, PageProgress progress) {
    this.store = store;
    this.pager = pager;
    this.chunks = chunks;
    this.progress = progress;
  }

  /** Pages the window from the checkpoint to its last page, or until a stop. */
  void page(FetchAttempt attempt) {
    JobRow job = attempt.job();
    String url =
        attempt.state().nextLink() != null
            ? attempt.state().nextLink()
            : pager.firstPageUrl(job.mailbox(), job.folder(), job.windowFrom(), job.windowTo());
    if (PageProgress.alreadyDone(attempt)) {
      return;
    }
    while (true) {
      attempt.checkNotStopped();
      GraphMessagePage page = pager.fetch(url, job.tenantId(), job.mailbox(), attempt);
      PagingState before = attempt.state();
      chunks.publish(
          Chunk.of(job.tenantId(), job.jobId(), before.nextSeq(), page.messages(), page.last()));
      PagingState after = before.after(page.messages().size(), page.nextLink());
      String status =
          progress.checkpointed(
              attempt,
              () ->
                  store.checkpoint(
                      job.jobId(),
                      attempt.attemptId(),
                      after.pages(),
                      after.messages(),
                      after.nextLink()),
              after,
              page.messages().size(),
              page.last());
      if (page.last()) {
        return;
      }
      attempt.stopIfCommanded(status);
      url = page.nextLink();
    }
  }
}
