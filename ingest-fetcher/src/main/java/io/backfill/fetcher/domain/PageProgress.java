package io.backfill.fetcher.domain;

import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.kit.attempt.AttemptStoppedException;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * What follows each acknowledged chunk of a fetch run, window or followed history alike: the
 * checkpoint (retried after a transient failure; it sets absolute values fenced by the attempt id,
 * so a repeat is safe), then the attempt's progress, the page's metrics and JobFetchProgress.
 */
@ApplicationScoped
public class PageProgress {

  private static final Logger LOG = Logger.getLogger(PageProgress.class);

  private final JobEventsPublisher jobEvents;
  private final FetchMetrics metrics;
  private final TransientRetry retry;

  PageProgress(JobEventsPublisher jobEvents, FetchMetrics metrics, TransientRetry retry) {
    this.jobEvents = jobEvents;
    this.metrics = metrics;
    this.retry = retry;
  }

  /**
   * True (and logged) when an earlier attempt published and checkpointed the last page but died
   * before it could end: nothing is fetched or published again, the run just completes.
   */
  static boolean alreadyDone(FetchAttempt attempt) {
    if (!attempt.state().done()) {
      return false;
    }
    LOG.infof(
        "the checkpoint already holds the last page (%d pages): nothing left to fetch (%s)",
        attempt.state().pages(), attempt.describe());
    return true;
  }

  /**
   * Writes the checkpoint of a page whose chunk was acknowledged and moves the attempt to {@code
   * after}. Returns the job's status; throws {@link AttemptStoppedException} (superseded) when the
   * attempt no longer owns the job.
   */
  String checkpointed(
      FetchAttempt attempt,
      Supplier<Optional<String>> checkpoint,
      PagingState after,
      int messages,
      boolean last) {
    Optional<String> status =
        retry.call(
            "checkpoint",
            attempt.describe(),
            () -> QuarkusTransaction.requiringNew().call(checkpoint::get));
    if (status.isEmpty()) {
      throw new AttemptStoppedException(StopReason.SUPERSEDED);
    }
    attempt.advance(after);
    metrics.published(messages);
    jobEvents.publish(
        new JobFetchProgress(
            UUID.randomUUID(),
            1,
            Instant.now(),
            attempt.tenantId(),
            attempt.jobId(),
            after.pages(),
            after.messages(),
            !last));
    return status.get();
  }
}
