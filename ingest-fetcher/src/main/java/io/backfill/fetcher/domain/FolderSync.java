package io.backfill.fetcher.domain;

import io.backfill.fetcher.graph.GraphMessagePager;
import io.backfill.fetcher.graph.GraphMessagePager.FolderPage;
import io.backfill.fetcher.graph.GraphSyncStateExpired;
import io.backfill.fetcher.graph.RetryWaits;
import io.backfill.fetcher.persistence.FolderStore;
import io.backfill.fetcher.persistence.FolderStore.Folder;
import io.backfill.fetcher.persistence.JobRow;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Which folders a followed job follows (decision 0037): listed once for its history, then kept up
 * to date each round from the folders delta (new folders added, removed ones marked gone).
 */
@ApplicationScoped
public class FolderSync {

  private static final Logger LOG = Logger.getLogger(FolderSync.class);

  private final FolderStore store;
  private final GraphMessagePager pager;
  private final TransientRetry retry;

  FolderSync(FolderStore store, GraphMessagePager pager, TransientRetry retry) {
    this.store = store;
    this.pager = pager;
    this.retry = retry;
  }

  /** The folders of a job: its one folder, or every folder of the mailbox (folders delta). */
  record FolderListing(List<String> ids, String deltaLink) {}

  /**
   * The job's stored folders; listed and stored first when none are (a resumed history finds them).
   */
  List<Folder> forHistory(JobRow job, RetryWaits waits) {
    List<Folder> folders = QuarkusTransaction.requiringNew().call(() -> store.folders(job.jobId()));
    if (!folders.isEmpty()) {
      return folders;
    }
    FolderListing listing = listFolders(job, waits);
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              // Listed once: a resumed attempt finds the folders stored.
              if (store.folders(job.jobId()).isEmpty()) {
                store.addFolders(job.jobId(), listing.ids());
                store.setFoldersDeltaLink(job.jobId(), listing.deltaLink());
              }
              return store.folders(job.jobId());
            });
  }

  /**
   * The job's folders as this round sees them: listed afresh when none are stored yet (FollowJob's
   * first round), else new ones added and removed ones marked gone from the folders delta.
   */
  List<Folder> forRound(FollowAttempt attempt) {
    JobRow job = attempt.job();
    List<Folder> stored = tx(() -> store.folders(job.jobId()));
    if (stored.isEmpty()) {
      FolderListing listing = listFolders(job, attempt);
      tx(
          () -> {
            store.addFolders(job.jobId(), listing.ids());
            store.setFoldersDeltaLink(job.jobId(), listing.deltaLink());
            return null;
          });
    } else if (job.folder() == null || job.folder().isBlank()) {
      String link = tx(() -> store.foldersDeltaLink(job.jobId()));
      Set<String> present = new LinkedHashSet<>();
      Set<String> removed = new HashSet<>();
      String deltaLink;
      if (link == null) {
        FolderListing listing = listFolders(job, attempt);
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
          FolderListing listing = listFolders(job, attempt);
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

  private <T> T tx(Supplier<T> work) {
    return retry.call(
        "follow_store", "follow", () -> QuarkusTransaction.requiringNew().call(work::get));
  }

  FolderListing listFolders(JobRow job, RetryWaits waits) {
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
    return name == null ? "" : name.replace(" ", "").toLowerCase(Locale.ROOT);
  }
}
