package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.FollowStarted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.RunId;
import io.backfill.fetcher.graph.GraphMessagePage;
import io.backfill.fetcher.graph.GraphMessagePager;
import io.backfill.fetcher.graph.GraphRequestRejected;
import io.backfill.fetcher.graph.GraphSyncStateExpired;
import io.backfill.fetcher.messaging.ChunkPublisher;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.fetcher.persistence.FollowStore;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.AttemptStoppedException;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs one fetch attempt to its end through the services' one {@link AttemptLifecycle}: RunStarted
 * acknowledged before the first Graph call; heartbeats on the lifecycle's scheduler; then per page:
 * fetch (retries inside), publish the chunk and wait for the ack, move the checkpoint (fenced by
 * the attempt id), JobFetchProgress. The attempt ends with RunCompleted{chunks, messages},
 * RunFailed{retryable, error}, or RunStopped{paused | cancelled} when a command ended it.
 *
 * <p>Stops are asked of the work ({@code ASK_THE_WORK}): a command, the ledger's timeout or
 * self-fencing wakes the attempt from a backoff, the page in flight finishes, and the loop records
 * the end in the job row before the lifecycle publishes the final event.
 *
 * <p>A crash after a chunk's ack but before its checkpoint re-fetches that one page on resume and
 * publishes it again with the same seq (the worker dedups on runId). Transactions are short and
 * never span a Graph call or a Kafka send.
 */
@ApplicationScoped
public class PagingLoop {

  private static final Logger LOG = Logger.getLogger(PagingLoop.class);

  private final JobStore store;
  private final GraphMessagePager pager;
  private final ChunkPublisher chunks;
  private final JobEventsPublisher jobEvents;
  private final AttemptLifecycle lifecycle;
  private final FetchMetrics metrics;
  private final TransientRetry retry;
  private final FollowStore follow;
  private final FollowRound rounds;

  PagingLoop(
      JobStore store,
      GraphMessagePager pager,
      ChunkPublisher chunks,
      JobEventsPublisher jobEvents,
      AttemptLifecycle lifecycle,
      FetchMetrics metrics,
      TransientRetry retry,
      FollowStore follow,
      FollowRound rounds) {
    this.follow = follow;
    this.rounds = rounds;
    this.retry = retry;
    this.store = store;
    this.pager = pager;
    this.chunks = chunks;
    this.jobEvents = jobEvents;
    this.lifecycle = lifecycle;
    this.metrics = metrics;
  }

  /** A new attempt of the claimed job, not yet announced. */
  public FetchAttempt attempt(JobRow job, AttemptId attemptId) {
    return new FetchAttempt(job, attemptId, lifecycle, this::stop);
  }

  /** Runs the attempt on the calling thread until it ends; never throws. */
  public void run(FetchAttempt attempt) {
    boolean announced;
    try {
      announced = lifecycle.announce(attempt.lifecycle());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      announced = false;
    }
    if (!announced) {
      // Without an acknowledged RunStarted no Graph call may be made; the lifecycle logged why.
      ended(attempt, "retryable_failed");
      release(
          attempt,
          "failed",
          ErrorInfo.coded("RunStartedNotAcknowledged", "RunStarted was not acknowledged"));
      return;
    }
    lifecycle.run(attempt.lifecycle(), running -> work(attempt));
  }

  private Ending work(FetchAttempt attempt) {
    Optional<Ending> notRun = markRunning(attempt);
    return notRun.isPresent() ? notRun.get() : pageToTheEnd(attempt);
  }

  /**
   * The job becomes {@code running} now that RunStarted is acknowledged; an ending when the attempt
   * ends here instead: superseded, paused or cancelled while it was being claimed, or the database
   * would not record it (the claim then lapses and the job is claimed again).
   */
  private Optional<Ending> markRunning(FetchAttempt attempt) {
    Optional<String> status;
    try {
      status =
          retry.call(
              "mark_running",
              attempt.describe(),
              () ->
                  QuarkusTransaction.requiringNew()
                      .call(() -> store.markRunning(attempt.jobId(), attempt.attemptId())));
    } catch (RuntimeException e) {
      ErrorInfo error = ErrorInfo.of(e);
      LOG.errorf(
          e, "the job could not be marked running (%s): attempt not run", attempt.describe());
      return Optional.of(
          decided(
              () -> {
                ended(attempt, "retryable_failed");
                release(attempt, "failed", error);
                return Optional.of(attempt.lifecycle().runFailed(true, error));
              }));
    }
    if (status.isEmpty()) {
      return Optional.of(
          decided(
              () -> {
                ended(attempt, StopReason.SUPERSEDED.tag());
                LOG.infof("attempt superseded before it ran (%s)", attempt.describe());
                return Optional.empty();
              }));
    }
    String now = status.get();
    if (now.equals("paused") || now.equals("cancelled")) {
      // The command came while the job was being claimed; the command already announced it.
      return Optional.of(
          decided(
              () -> {
                ended(attempt, now);
                release(attempt, now, null);
                return Optional.of(
                    attempt
                        .lifecycle()
                        .runStopped(
                            now.equals("paused") ? RunStopped.PAUSED : RunStopped.CANCELLED,
                            now + " before the first page of this attempt"));
              }));
    }
    return Optional.empty();
  }

  /** Pages until the last page or a stop; returns how the attempt ends. */
  private Ending pageToTheEnd(FetchAttempt attempt) {
    try {
      page(attempt);
      return complete(attempt);
    } catch (AttemptStoppedException stopped) {
      return stop(attempt, stopped.reason());
    } catch (GraphRequestRejected rejected) {
      return fail(attempt, rejected, graphError(rejected), false);
    } catch (RuntimeException e) {
      if (attempt.stopReason() == StopReason.SELF_FENCED) {
        // The broker that took no heartbeats took no chunk either: one cause, the attempt fenced.
        return stop(attempt, StopReason.SELF_FENCED);
      }
      return fail(attempt, e, ErrorInfo.of(e), true);
    }
  }

  private void page(FetchAttempt attempt) {
    JobRow job = attempt.job();
    attempt.phase("paging");
    if (job.follow()) {
      followedHistory(attempt);
      return;
    }
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
      // Commands reach this attempt through the job's status too, whichever instance took them.
      if (status.get().equals("paused")) {
        attempt.stop(StopReason.PAUSED);
      } else if (status.get().equals("cancelled")) {
        attempt.stop(StopReason.CANCELLED);
      }
      url = page.nextLink();
    }
  }

  /**
   * Decided once heartbeats have stopped: the job row records the end first, then the final event;
   * job events follow it.
   */
  private Ending complete(FetchAttempt attempt) {
    PagingState done = attempt.state();
    return new Ending() {
      private Optional<String> left = Optional.empty();
      private Optional<String> following = Optional.empty();

      @Override
      public Optional<RunEvent> finalEvent() {
        left = releaseAs(attempt, "fetched");
        if (left.isEmpty()) {
          // Not recorded: superseded (a newer attempt owns the run and will complete it), or the
          // database failed, and then the ledger times this attempt out and its retry completes
          // from the checkpoint without fetching. Either way no RunCompleted the job row does not
          // show.
          ended(attempt, StopReason.SUPERSEDED.tag());
          LOG.warnf(
              "fetched every page but could not record it; no RunCompleted (%s)",
              attempt.describe());
          return Optional.empty();
        }
        ended(attempt, "completed");
        if (attempt.job().follow()) {
          following = startFollowing(attempt);
        }
        return Optional.of(attempt.lifecycle().runCompleted(done.pages(), done.messages()));
      }

      @Override
      public void afterwards(boolean acknowledged) {
        LOG.infof(
            "fetched %d messages in %d chunks (%s)",
            done.messages(), done.pages(), attempt.describe());
        if (following.isPresent() && !following.get().equals("ended")) {
          send(
              attempt,
              FollowStarted.of(attempt.tenantId(), attempt.jobId(), intervalOf(attempt.job())));
        }
        // A Pause or Cancel that came during the last page keeps the job paused or cancelled: it
        // is announced here, as the attempt it reached would have.
        if (left.filter("paused"::equals).isPresent()) {
          send(
              attempt,
              JobPaused.of(attempt.tenantId(), attempt.jobId(), "paused after the last page"));
        } else if (left.filter("cancelled"::equals).isPresent()) {
          send(
              attempt,
              JobCancelled.of(
                  attempt.tenantId(), attempt.jobId(), "cancelled after the last page"));
        }
      }
    };
  }

  private Ending stop(FetchAttempt attempt, StopReason reason) {
    PagingState at = attempt.state();
    String where = "at page " + at.pages() + " (" + at.messages() + " messages)";
    Optional<JobEvent> announce =
        switch (reason) {
          case PAUSED ->
              Optional.of(JobPaused.of(attempt.tenantId(), attempt.jobId(), "paused " + where));
          case CANCELLED ->
              Optional.of(
                  JobCancelled.of(attempt.tenantId(), attempt.jobId(), "cancelled " + where));
          default -> Optional.empty();
        };
    return decided(
        () -> {
          ended(attempt, reason.tag());
          LOG.infof("attempt stopped (%s) %s (%s)", reason.tag(), where, attempt.describe());
          switch (reason) {
            case PAUSED, CANCELLED -> {
              // The attempt ends parked, not failed: a paused job never looks stale or failed to
              // the ledger, and Resume starts a new attempt.
              release(attempt, reason.tag(), null);
              return Optional.of(
                  attempt.lifecycle().runStopped(reason.tag(), reason.tag() + " " + where));
            }
            case SHUTDOWN, SELF_FENCED, DEADLINE -> {
              ErrorInfo error =
                  ErrorInfo.coded(
                      switch (reason) {
                        case SHUTDOWN -> "Shutdown";
                        case SELF_FENCED -> "SelfFenced";
                        default -> "DeadlineExceeded";
                      },
                      "attempt handed back " + where);
              release(attempt, "running", error);
              return Optional.of(attempt.lifecycle().runFailed(true, error));
            }
            default -> {
              // Fenced: the ledger already ended this attempt, or a newer one owns the run.
              return Optional.empty();
            }
          }
        },
        () -> announce.ifPresent(event -> send(attempt, event)));
  }

  private Ending fail(FetchAttempt attempt, Exception e, ErrorInfo error, boolean retryable) {
    return decided(
        () -> {
          ended(attempt, retryable ? "retryable_failed" : "failed");
          LOG.errorf(
              retryable ? e : null,
              "attempt failed (%s, %s): %s",
              retryable ? "retryable" : "non-retryable",
              attempt.describe(),
              e.getMessage());
          if (!release(attempt, "failed", error)) {
            return Optional.empty();
          }
          return Optional.of(attempt.lifecycle().runFailed(retryable, error));
        },
        () -> {
          if (!retryable) {
            send(
                attempt,
                new JobFailed(
                    UUID.randomUUID(),
                    1,
                    Instant.now(),
                    attempt.tenantId(),
                    attempt.jobId(),
                    error));
          }
        });
  }

  /**
   * A followed job's history is the delta initial round of its folders (decision 0037): the one
   * folder asked for, or every folder of the mailbox, each paged from its fresh delta listing (mail
   * received from the window's start on). One chunk per page; the checkpoint is (folder, next
   * link), the next link being the next folder's first page once a folder's listing ended, and each
   * folder's delta link is stored when its listing ends. The last folder's last page is the job's
   * last chunk.
   */
  private void followedHistory(FetchAttempt attempt) {
    JobRow job = attempt.job();
    if (attempt.state().done()) {
      LOG.infof(
          "the checkpoint already holds the last page (%d pages): nothing left to fetch (%s)",
          attempt.state().pages(), attempt.describe());
      return;
    }
    List<FollowStore.Folder> folders =
        QuarkusTransaction.requiringNew().call(() -> follow.folders(job.jobId()));
    if (folders.isEmpty()) {
      FollowRound.FolderListing listing = FollowRound.listFolders(pager, job, attempt);
      folders =
          QuarkusTransaction.requiringNew()
              .call(
                  () -> {
                    // Listed once: a resumed attempt finds the folders stored.
                    if (follow.folders(job.jobId()).isEmpty()) {
                      follow.addFolders(job.jobId(), listing.ids());
                      follow.setFoldersDeltaLink(job.jobId(), listing.deltaLink());
                    }
                    return follow.folders(job.jobId());
                  });
    }
    List<String> ids = folders.stream().map(FollowStore.Folder::folderId).toList();
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
      Optional<String> status =
          retry.call(
              "checkpoint",
              attempt.describe(),
              () ->
                  QuarkusTransaction.requiringNew()
                      .call(
                          () ->
                              store.checkpointFollowed(
                                  job.jobId(),
                                  attempt.attemptId(),
                                  after.pages(),
                                  after.messages(),
                                  checkpointFolder,
                                  after.nextLink(),
                                  endedFolder,
                                  page.deltaLink())));
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
              !last));
      if (last) {
        return;
      }
      if (status.get().equals("paused")) {
        attempt.stop(StopReason.PAUSED);
      } else if (status.get().equals("cancelled")) {
        attempt.stop(StopReason.CANCELLED);
      }
      index = nextIndex;
      url = nextUrl;
    }
  }

  /** History done: following starts (its first round due after the interval). */
  private Optional<String> startFollowing(FetchAttempt attempt) {
    try {
      return retry.call(
          "start_following",
          attempt.describe(),
          () ->
              QuarkusTransaction.requiringNew()
                  .call(
                      () ->
                          follow.startFollowing(attempt.jobId(), rounds.nextDelay(attempt.job()))));
    } catch (RuntimeException e) {
      LOG.errorf(e, "could not start following (%s)", attempt.describe());
      return Optional.empty();
    }
  }

  private int intervalOf(JobRow job) {
    return rounds.intervalOf(job);
  }

  private static Ending decided(Supplier<Optional<RunEvent>> decide) {
    return decided(decide, () -> {});
  }

  /** {@code afterwards} runs once the final event was sent, whether or not it was acknowledged. */
  private static Ending decided(Supplier<Optional<RunEvent>> decide, Runnable afterwards) {
    return new Ending() {
      @Override
      public Optional<RunEvent> finalEvent() {
        return decide.get();
      }

      @Override
      public void afterwards(boolean acknowledged) {
        afterwards.run();
      }
    };
  }

  /** Graph's code as the error type and its message, with our trace for where it happened. */
  private static ErrorInfo graphError(GraphRequestRejected rejected) {
    ErrorInfo trace = ErrorInfo.of(rejected);
    return new ErrorInfo(rejected.code(), rejected.getMessage(), trace.stackTrace());
  }

  private Optional<String> releaseAs(FetchAttempt attempt, String status) {
    try {
      return retry.call(
          "checkpoint",
          attempt.describe(),
          () ->
              QuarkusTransaction.requiringNew()
                  .call(() -> store.releaseAs(attempt.jobId(), attempt.attemptId(), status, null)));
    } catch (RuntimeException e) {
      LOG.errorf(
          e, "could not record the end of the attempt as %s (%s)", status, attempt.describe());
      return Optional.empty();
    }
  }

  private boolean release(FetchAttempt attempt, String status, ErrorInfo error) {
    try {
      return QuarkusTransaction.requiringNew()
          .call(() -> store.release(attempt.jobId(), attempt.attemptId(), status, error));
    } catch (RuntimeException e) {
      LOG.errorf(
          e, "could not record the end of the attempt as %s (%s)", status, attempt.describe());
      return false;
    }
  }

  private void send(FetchAttempt attempt, JobEvent event) {
    try {
      jobEvents.publish(event);
    } catch (RuntimeException e) {
      LOG.errorf(
          "%s could not be published (%s): %s",
          event.getClass().getSimpleName(), attempt.describe(), e.getMessage());
    }
  }

  private void ended(FetchAttempt attempt, String outcome) {
    metrics.attemptEnded(outcome);
  }
}
