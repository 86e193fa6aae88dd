package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.fetcher.graph.GraphMessagePage;
import io.backfill.fetcher.graph.GraphMessagePager;
import io.backfill.fetcher.messaging.ChunkPublisher;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.backfill.kit.attempt.AttemptStoppedException;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The pages of a job's window ({@code /messages}), one chunk each: fetch (retries inside), publish
 * the chunk and wait for the ack, move the checkpoint (fenced by the attempt id), JobFetchProgress.
 */
@ApplicationScoped
public class WindowPaging {

  private static final Logger LOG = Logger.getLogger(WindowPaging.class);

  private final JobStore store;
  private final GraphMessagePager pager;
  private final ChunkPublisher chunks;
  private final JobEventsPublisher jobEvents;
  private final FetchMetrics metrics;
  private final TransientRetry retry;

  WindowPaging(
      JobStore store,
      GraphMessagePager pager,
      ChunkPublisher chunks,
      JobEventsPublisher jobEvents,
      FetchMetrics metrics,
      TransientRetry retry) {
    this.store = store;
    this.pager = pager;
    this.chunks = chunks;
    this.jobEvents = jobEvents;
    this.metrics = metrics;
    this.retry = retry;
  }

  /** Pages the window from the checkpoint to its last page, or until a stop. */
  void page(FetchAttempt attempt) {
    JobRow job = attempt.job();
    String url =
        attempt.state().nextLink() != null
            ? attempt.state().nextLink()
            : pager.firstPageUrl(job.mailbox(), job.folder(), job.windowFrom(), job.windowTo());
    if (attempt.state().done()) {
      // The last page was published and checkpointed by an earlier attempt that died before it
      // could end: nothing is fetched or published again, the run just completes.
      LOG.infof(
          "the checkpoint already holds the last page (%d pages): nothing left to fetch (%s)",
          attempt.state().pages(), attempt.describe());
      return;
    }
    while (true) {
      attempt.checkNotStopped();
      GraphMessagePage page = pager.fetch(url, job.tenantId(), job.mailbox(), attempt);
      PagingState before = attempt.state();
      chunks.publish(
          Chunk.of(job.tenantId(), job.jobId(), before.nextSeq(), page.messages(), page.last()));
      PagingState after = before.after(page.messages().size(), page.nextLink());
      // The checkpoint sets absolute values fenced by the attempt id: safe to repeat.
      Optional<String> status =
          retry.call(
              "checkpoint",
              attempt.describe(),
              () ->
                  QuarkusTransaction.requiringNew()
                      .call(
                          () ->
                              store.checkpoint(
                                  job.jobId(),
                                  attempt.attemptId(),
                                  after.pages(),
                                  after.messages(),
                                  after.nextLink())));
      if (status.isEmpty()) {
        throw new AttemptStoppedException(StopReason.SUPERSEDED);
      }
      attempt.advance(after);
      metrics.published(page.messages().size());
      jobEvents.publish(
          new JobFetchProgress(
              UUID.randomUUID(),
              1,
              Instant.now(),
              job.tenantId(),
              job.jobId(),
              after.pages(),
              after.messages(),
              !page.last()));
      if (page.last()) {
        return;
      }
      attempt.stopIfCommanded(status.get());
      url = page.nextLink();
    }
  }
}
