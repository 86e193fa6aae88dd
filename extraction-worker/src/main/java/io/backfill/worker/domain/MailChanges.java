package io.backfill.worker.domain;

import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.RemovedMessage;
import io.backfill.worker.persistence.ChangeStore.Tombstone;
import io.backfill.worker.persistence.ChangeStore.Version;
import java.util.List;
import java.util.UUID;

/**
 * The rules of decision 0037 that say what a chunk's message or removal does to the stored
 * document, from what is stored about it. Within a job a chunk's seq orders what it says about a
 * message; what another job stored is superseded (the documents are the tenant's, keyed by Graph's
 * message id, as before following).
 */
public final class MailChanges {

  private MailChanges() {}

  /** What a chunk's message does. */
  public enum Kind {
    /** New to the tenant's memory (or back after a removal): extracted. */
    CREATED,
    /** Its content changed (or its version is unknown): extracted, replacing what was there. */
    UPDATED,
    /** Same changeKey as the stored document: only its seq and folder move. */
    UNCHANGED,
    /** An older chunk than what is stored (or the same chunk again): changes nothing. */
    STALE
  }

  /**
   * @param version the stored live document's version, or null
   * @param tombstones the message's removals from folders, possibly empty
   */
  public static Kind ofMessage(
      MailMessage message, UUID jobId, int seq, Version version, List<Tombstone> tombstones) {
    if (version != null && version.jobId().equals(jobId) && version.seenSeq() >= seq) {
      return Kind.STALE;
    }
    for (Tombstone t : tombstones) {
      // A removal from another folder says nothing about this one (a move, either order); a
      // message without a folder (history of older producers) is older than any newer removal.
      boolean sameFolder = message.folderId() == null || message.folderId().equals(t.folderId());
      if (sameFolder && t.jobId().equals(jobId) && t.seq() >= seq) {
        return Kind.STALE;
      }
    }
    if (version == null) {
      return Kind.CREATED;
    }
    if (message.changeKey() != null && message.changeKey().equals(version.changeKey())) {
      return Kind.UNCHANGED;
    }
    return Kind.UPDATED;
  }

  /**
   * Whether a removal deletes the stored document: only a newer one, and only from the folder the
   * document is in (it was moved elsewhere already otherwise).
   */
  public static boolean removes(RemovedMessage removal, UUID jobId, int seq, Version version) {
    if (version == null) {
      return false;
    }
    if (version.jobId().equals(jobId) && version.seenSeq() >= seq) {
      return false;
    }
    return version.folderId() == null || version.folderId().equals(removal.folderId());
  }
}
