package io.backfill.fetcher.persistence;

import static io.backfill.fetcher.persistence.JobStore.uuid;

import io.backfill.contracts.id.JobId;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The folders a followed job follows (decision 0037), with their delta and next links, and the
 * job's folder listing link. Callers own the transaction.
 */
@ApplicationScoped
public class FolderStore {

  private final Jdbc jdbc;

  FolderStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** One folder of a followed job. */
  public record Folder(
      String folderId,
      int position,
      String deltaLink,
      String nextLink,
      Integer sweepSince,
      boolean gone,
      int doneRound) {}

  public List<Folder> folders(JobId jobId) {
    return jdbc.list(
        """
        SELECT folder_id, position, delta_link, next_link, sweep_since, gone, done_round
        FROM follow_folders WHERE job_id = ? ORDER BY position
        """,
        r ->
            new Folder(
                r.getString(1),
                r.getInt(2),
                r.getString(3),
                r.getString(4),
                Jdbc.integer(r, 5),
                r.getBoolean(6),
                r.getInt(7)),
        uuid(jobId));
  }

  /** Adds folders after the job's others (present ones are left as they are). */
  public void addFolders(JobId jobId, Collection<String> folderIds) {
    for (String folderId : folderIds) {
      jdbc.update(
          """
          INSERT INTO follow_folders (job_id, folder_id, position)
          VALUES (?, ?,
                  (SELECT COALESCE(MAX(position), 0) + 1 FROM follow_folders WHERE job_id = ?))
          ON CONFLICT DO NOTHING
          """,
          uuid(jobId),
          folderId,
          uuid(jobId));
    }
  }

  /** The folders are gone from the mailbox: each gets its sweep with an empty listing. */
  public void markGone(JobId jobId, Collection<String> folderIds) {
    if (folderIds.isEmpty()) {
      return;
    }
    jdbc.update(
        "UPDATE follow_folders SET gone = true WHERE job_id = ? AND folder_id = ANY(?)",
        uuid(jobId),
        List.copyOf(folderIds));
  }

  public void setFoldersDeltaLink(JobId jobId, String link) {
    jdbc.update("UPDATE jobs SET folders_delta_link = ? WHERE job_id = ?", link, uuid(jobId));
  }

  public String foldersDeltaLink(JobId jobId) {
    return jdbc.first(
            "SELECT folders_delta_link FROM jobs WHERE job_id = ?",
            r -> Optional.ofNullable(r.getString(1)),
            uuid(jobId))
        .flatMap(link -> link)
        .orElse(null);
  }

  /** Graph refused the folder's stored link (410): it is listed afresh. */
  public void resetFolder(JobId jobId, String folderId) {
    jdbc.update(
        """
        UPDATE follow_folders SET delta_link = NULL, next_link = NULL, sweep_since = NULL
        WHERE job_id = ? AND folder_id = ?
        """,
        uuid(jobId),
        folderId);
  }

  /** A gone folder's sweep was published: the folder is no longer followed. */
  public void dropFolder(JobId jobId, String folderId) {
    jdbc.update(
        "DELETE FROM follow_folders WHERE job_id = ? AND folder_id = ?", uuid(jobId), folderId);
  }
}
