package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.FolderSweep;
import io.backfill.contracts.event.FollowRoundCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.id.AttemptId;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.graph.GraphMessagePager;
import io.backfill.fetcher.graph.GraphMessagePager.DeltaPage;
import io.backfill.fetcher.graph.GraphMessagePager.FolderPage;
import io.backfill.fetcher.graph.GraphRequestRejected;
import io.backfill.fetcher.graph.GraphSyncStateExpired;
import io.backfill.fetcher.graph.RetryWaits;
import io.backfill.fetcher.messaging.ChunkPublisher;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.fetcher.persistence.FollowStore;
import io.backfill.fetcher.persistence.FollowStore.Folder;
import io.backfill.fetcher.persistence.FollowStore.Round;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.AttemptStoppedException;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs one attempt of a followed job's delta round (decision 0037) through the one {@link
 * AttemptLifecycle}: RunStarted acknowledged before the first Graph call, heartbeats, then the
 * folders: new and removed ones from the folders delta, a sweep with an empty listing for each
 * removed one, then each folder from its stored link (its delta link, or its next link when an
 * earlier attempt of the round stopped in it). Each page with changes is one chunk continuing the
 * job's seqs; after each acknowledged chunk the folder's next link is stored, fenced by the round
 * attempt's id. A 410 on a stored link lists the folder afresh, and the fresh listing's last chunk
 * carries the folder's sweep. The round ends with the folders' new delta links, RunCompleted,
 * FollowRoundCompleted and the next round due after the interval (jittered).
 */
@ApplicationScoped
public class FollowRound {

  private static final Logger LOG = Logger.getLogger(FollowRound.class);

  private final FollowStore store;
  private final GraphMessagePager pager;
  private final ChunkPublisher chunks;
  private final JobEventsPublisher jobEvents;
  private final AttemptLifecycle lifecycle;
  private final FollowMetrics metrics;
  private final TransientRetry retry;
  private final FetcherConfig.Follow config;

  FollowRound(
      FollowStore store,
      GraphMessagePager pager,
      ChunkPublisher chunks,
      JobEventsPublisher jobEvents,
      AttemptLifecycle lifecycle,
      FollowMetrics metrics,
      TransientRetry retry,
      FetcherConfig config) {
    this.store = store;
    this.pager = pager;
    this.chunks = chunks;
    this.jobEvents = jobEvents;
    this.lifecycle = lifecycle;
    this.metrics = metrics;
    this.retry = retry;
    this.config = config.follow();
  }

  public FollowAttempt attempt(Round round, AttemptId attemptId) {
    return new FollowAttempt(round, attemptId, lifecycle, this::stop);
  }

  /** The job's seconds between rounds: its own, or the configured default. */
  public int intervalOf(JobRow job) {
    return job.followIntervalSeconds() != null
        ? job.followIntervalSeconds()
        : config.intervalSeconds();
  }

  /** The wait before a job's next round: its interval, ± the jitter. */
  public Duration nextDelay(JobRow job) {
    int interval = intervalOf(job);
    double factor = 1 + config.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Duration.ofMillis(Math.round(interval * 1000.0 * factor));
  }

  /** Runs the attempt on the calling thread until it ends; never throws. */
  public void run(FollowAttempt attempt) {
    boolean announced;
    try {
      announced = lifecycle.announce(attempt.lifecycle());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      announced = false;
    }
    if (!announced) {
      metrics.roundEnded("failed");
      release(attempt, null);
      return;
    }
    lifecycle.run(attempt.lifecycle(), running -> roundToTheEnd(attempt));
  }

  private Ending roundToTheEnd(FollowAttempt attempt) {
    try {
      attempt.phase("paging");
      folders(attempt);
      return complete(attempt);
    } catch (AttemptStoppedException stopped) {
      return stop(attempt, stopped.reason());
    } catch (GraphRequestRejected rejected) {
      ErrorInfo trace = ErrorInfo.of(rejected);
      return fail(
          attempt,
          rejected,
          new ErrorInfo(rejected.code(), rejected.getMessage(), trace.stackTrace()),
          false);
    } catch (RuntimeException e) {
      if (attempt.stopReason() == StopReason.SELF_FENCED) {
        return stop(attempt, StopReason.SELF_FENCED);
      }
      return fail(attempt, e, ErrorInfo.of(e), true);
    }
  }

  private void folders(FollowAttempt attempt) {
    JobRow job = attempt.job();
    List<Folder> folders = syncFolders(attempt);
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

  /**
   * The job's folders as this round sees them: listed afresh when none are stored yet (FollowJob's
   * first round), else new ones added and removed ones marked gone from the folders delta.
   */
  private List<Folder> syncFolders(FollowAttempt attempt) {
    JobRow job = attempt.job();
    List<Folder> stored = tx(() -> store.folders(job.jobId()));
    if (stored.isEmpty()) {
      FolderListing listing = listFolders(pager, job, attempt);
      tx(
          () -> {
            store.addFolders(job.jobId(), listing.ids());
            store.setFoldersDeltaLink(job.jobId(), listing.deltaLink());
            return null;
          });
    } else if (job.folder() == null || job.folder().isBlank()) {
      String link = tx(() -> foldersLink(job));
      Set<String> present = new LinkedHashSet<>();
      Set<String> removed = new HashSet<>();
      String deltaLink;
      if (link == null) {
        FolderListing listing = listFolders(pager, job, attempt);
        present.addAll(listing.ids());
        deltaLink = listing.deltaLink();
        stored.stream()
            .map(Folder::folderId)
            .filter(id -> !present.contains(id))
            .forEach(removed::add);
      } else {
        try {
          String url = link;
          while (true) {
            attempt.checkNotStopped();
            FolderPage page = pager.fetchFolders(url, job.tenantId(), job.mailbox(), attempt);
            present.addAll(page.present());
            removed.addAll(page.removed());
            if (page.deltaLink() != null) {
              deltaLink = page.deltaLink();
              break;
            }
            url = page.nextLink();
          }
        } catch (GraphSyncStateExpired expired) {
          LOG.warnf("folders delta link expired: listing every folder (%s)", attempt.describe());
          FolderListing listing = listFolders(pager, job, attempt);
          present.clear();
          present.addAll(listing.ids());
          removed.clear();
          stored.stream()
              .map(Folder::folderId)
              .filter(id -> !present.contains(id))
              .forEach(removed::add);
          deltaLink = listing.deltaLink();
        }
      }
      present.removeAll(removed);
      String newLink = deltaLink;
      tx(
          () -> {
            store.addFolders(job.jobId(), present);
            store.markGone(job.jobId(), removed);
            store.setFoldersDeltaLink(job.jobId(), newLink);
            return null;
          });
    }
    return tx(() -> store.folders(job.jobId()));
  }

  private String foldersLink(JobRow job) {
    return store.foldersDeltaLink(job.jobId());
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
                            store.dropFolder(attempt.jobId(), folder.folderId());
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
        tx(
            () -> {
              store.resetFolder(job.jobId(), folder.folderId());
              return null;
            });
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

  private Ending complete(FollowAttempt attempt) {
    // The round's FollowRoundCompleted goes after its RunCompleted.
    FollowRoundCompleted[] pendingEvent = new FollowRoundCompleted[1];
    return decided(
        () -> {
          Duration delay = nextDelay(attempt.job());
          Optional<Object[]> ended;
          try {
            ended =
                retry.call(
                    "end_round",
                    attempt.describe(),
                    () ->
                        QuarkusTransaction.requiringNew()
                            .call(
                                () -> store.endRound(attempt.jobId(), attempt.attemptId(), delay)));
          } catch (RuntimeException e) {
            LOG.errorf(e, "could not record the end of the round (%s)", attempt.describe());
            ended = Optional.empty();
          }
          if (ended.isEmpty()) {
            // Fenced (a newer attempt owns the round) or not recorded: the round stays open and
            // its next attempt ends it, without a RunCompleted here the job row does not show.
            metrics.roundEnded("stopped");
            LOG.warnf("round listed but its end was not recorded (%s)", attempt.describe());
            return Optional.empty();
          }
          Object[] r = ended.get();
          Integer first = r[5] == null ? null : ((Number) r[5]).intValue();
          Integer last = first == null ? null : ((Number) r[6]).intValue();
          FollowRoundCompleted done =
              new FollowRoundCompleted(
                  UUID.randomUUID(),
                  1,
                  Instant.now(),
                  attempt.tenantId(),
                  attempt.jobId(),
                  attempt.round().round(),
                  FollowStore.instant(r[0]),
                  foldersOf(attempt),
                  ((Number) r[1]).intValue(),
                  ((Number) r[2]).intValue(),
                  ((Number) r[3]).intValue(),
                  ((Number) r[4]).intValue(),
                  first,
                  last);
          metrics.roundEnded("completed");
          LOG.infof(
              "round %d listed %d, removed %d, resynced %d folders in %d Graph requests; next in"
                  + " %d s (%s)",
              done.round(),
              done.listed(),
              done.removed(),
              done.resyncedFolders(),
              done.graphRequests(),
              delay.toSeconds(),
              attempt.describe());
          pendingEvent[0] = done;
          return Optional.of(
              attempt.lifecycle().runCompleted(attempt.chunks, done.listed() + done.removed()));
        },
        () -> {
          if (pendingEvent[0] != null) {
            send(attempt, pendingEvent[0]);
          }
        });
  }

  private int foldersOf(FollowAttempt attempt) {
    try {
      return tx(() -> store.folders(attempt.jobId())).size();
    } catch (RuntimeException e) {
      LOG.warnf("could not count the folders (%s): %s", attempt.describe(), e.getMessage());
      return 0;
    }
  }

  private Ending stop(FollowAttempt attempt, StopReason reason) {
    return decided(
        () -> {
          switch (reason) {
            case PAUSED, CANCELLED -> {
              metrics.roundEnded("stopped");
              release(attempt, null);
              LOG.infof("round stopped (%s) (%s)", reason.tag(), attempt.describe());
              return Optional.of(
                  attempt
                      .lifecycle()
                      .runStopped(
                          reason == StopReason.PAUSED ? RunStopped.PAUSED : RunStopped.CANCELLED,
                          reason.tag() + " after " + attempt.chunks + " chunks of this attempt"));
            }
            case SHUTDOWN, SELF_FENCED, DEADLINE -> {
              metrics.roundEnded("failed");
              ErrorInfo error =
                  ErrorInfo.coded(
                      reason == StopReason.SHUTDOWN
                          ? "Shutdown"
                          : reason == StopReason.SELF_FENCED ? "SelfFenced" : "DeadlineExceeded",
                      "round attempt handed back");
              LOG.warnf("round handed back (%s) (%s)", reason.tag(), attempt.describe());
              release(attempt, null);
              return Optional.of(attempt.lifecycle().runFailed(true, error));
            }
            default -> {
              metrics.roundEnded("stopped");
              LOG.infof("round attempt fenced (%s) (%s)", reason.tag(), attempt.describe());
              return Optional.empty();
            }
          }
        },
        () -> {});
  }

  private Ending fail(FollowAttempt attempt, Exception e, ErrorInfo error, boolean retryable) {
    return decided(
        () -> {
          metrics.roundEnded("failed");
          LOG.errorf(
              retryable ? e : null,
              "round attempt failed (%s, %s): %s",
              retryable ? "retryable" : "non-retryable",
              attempt.describe(),
              e.getMessage());
          // The open round is tried again after an interval (or at once on the ledger's RetryDue);
          // a refusal retrying cannot fix (mailbox gone, access revoked) waits ten intervals.
          Duration later = nextDelay(attempt.job()).multipliedBy(retryable ? 1 : 10);
          if (!release(attempt, later)) {
            return Optional.empty();
          }
          return Optional.of(attempt.lifecycle().runFailed(retryable, error));
        },
        () -> {});
  }

  private boolean release(FollowAttempt attempt, Duration retryAfter) {
    try {
      return QuarkusTransaction.requiringNew()
          .call(() -> store.release(attempt.jobId(), attempt.attemptId(), retryAfter));
    } catch (RuntimeException e) {
      LOG.errorf(e, "could not release the round (%s)", attempt.describe());
      return false;
    }
  }

  private void send(FollowAttempt attempt, io.backfill.contracts.event.JobEvent event) {
    try {
      jobEvents.publish(event);
    } catch (RuntimeException e) {
      LOG.errorf(
          "%s could not be published (%s): %s",
          event.getClass().getSimpleName(), attempt.describe(), e.getMessage());
    }
  }

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

  private <T> T tx(Supplier<T> work) {
    return retry.call(
        "follow_store", "follow", () -> QuarkusTransaction.requiringNew().call(work::get));
  }

  /** The folders of a job: its one folder, or every folder of the mailbox (folders delta). */
  record FolderListing(List<String> ids, String deltaLink) {}

  static FolderListing listFolders(GraphMessagePager pager, JobRow job, RetryWaits waits) {
    List<FolderPage> pages = new ArrayList<>();
    String url = pager.foldersFirstUrl(job.mailbox());
    while (true) {
      FolderPage page = pager.fetchFolders(url, job.tenantId(), job.mailbox(), waits);
      pages.add(page);
      if (page.deltaLink() != null || page.nextLink() == null) {
        break;
      }
      url = page.nextLink();
    }
    String deltaLink = pages.get(pages.size() - 1).deltaLink();
    if (job.folder() == null || job.folder().isBlank()) {
      List<String> ids = new ArrayList<>();
      pages.forEach(p -> ids.addAll(p.present()));
      return new FolderListing(ids, deltaLink);
    }
    // The one folder asked for, by id or well-known name ("sentitems" is "Sent Items"); removals
    // and sweeps name folders by id, as messages' parentFolderId does.
    String wanted = squeeze(job.folder());
    for (FolderPage page : pages) {
      for (int i = 0; i < page.present().size(); i++) {
        if (page.present().get(i).equals(job.folder())
            || squeeze(page.names().get(i)).equals(wanted)) {
          return new FolderListing(List.of(page.present().get(i)), null);
        }
      }
    }
    return new FolderListing(
        List.of(pager.folderId(job.tenantId(), job.mailbox(), job.folder(), waits)), null);
  }

  private static String squeeze(String name) {
    return name == null ? "" : name.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
  }
}
