package io.backfill.contracts.event;

/**
 * A message that a delta round reports gone from {@code folderId}: Graph's {@code @removed}.
 *
 * @param reason Graph's removal reason: {@value #DELETED} (gone for good) or {@value #CHANGED}
 *     (moved out of the folder, or otherwise no longer in it)
 */
public record RemovedMessage(String id, String folderId, String reason) {

  public static final String DELETED = "deleted";
  public static final String CHANGED = "changed";

  public RemovedMessage {
    Require.text(id, "id");
    Require.text(folderId, "folderId");
    Require.text(reason, "reason");
    if (!reason.equals(DELETED) && !reason.equals(CHANGED)) {
      throw new IllegalArgumentException(
          "reason must be " + DELETED + " or " + CHANGED + ", was '" + reason + "'");
    }
  }
}
