package io.backfill.fetcher.domain;

import io.backfill.fetcher.persistence.JobRow;

/**
 * Where a job's paging stands: the next page to fetch and what was published so far. One object,
 * replaced after every acknowledged page, so no loop variable can shadow it (LESSONS 1).
 *
 * @param nextLink the next page's URL (Graph's {@code @odata.nextLink}); null before the first page
 *     and after the last
 * @param pages chunks published and acknowledged; the next chunk's seq is {@code pages + 1}
 * @param messages messages in those chunks
 */
public record PagingState(String nextLink, int pages, long messages) {

  public static PagingState checkpointOf(JobRow job) {
    return new PagingState(job.nextLink(), job.pagesPublished(), job.messagesPublished());
  }

  /** True when the last page is published: pages were, and Graph named no next one. */
  public boolean done() {
    return pages > 0 && nextLink == null;
  }

  /** The seq of the chunk the next page becomes. */
  public int nextSeq() {
    return pages + 1;
  }

  /** The state once a page of {@code count} messages, followed by {@code next}, is published. */
  public PagingState after(int count, String next) {
    return new PagingState(next, pages + 1, messages + count);
  }
}
