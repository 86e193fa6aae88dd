package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/**
 * A followed job's delta round listed every folder to its end and published every page. The copy is
 * as current as {@code roundStartedAt} once the round's chunks are extracted.
 *
 * @param listed messages the round listed whole (created or changed in Graph's view)
 * @param removed removals the round listed
 * @param resyncedFolders folders whose stored delta link Graph refused (410) and that were listed
 *     afresh and swept
 * @param graphRequests Graph requests the round made, retries included
 * @param firstSeq the first chunk seq of the round; absent when the round published no chunk
 * @param lastSeq the last chunk seq of the round; absent when the round published no chunk
 */
public record FollowRoundCompleted(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    int round,
    Instant roundStartedAt,
    int folders,
    int listed,
    int removed,
    int resyncedFolders,
    int graphRequests,
    @OptionalField Integer firstSeq,
    @OptionalField Integer lastSeq)
    implements JobEvent {

  public FollowRoundCompleted {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.positive(round, "round");
    Require.present(roundStartedAt, "roundStartedAt");
    Require.notNegative(folders, "folders");
    Require.notNegative(listed, "listed");
    Require.notNegative(removed, "removed");
    Require.notNegative(resyncedFolders, "resyncedFolders");
    Require.notNegative(graphRequests, "graphRequests");
    if ((firstSeq == null) != (lastSeq == null)) {
      throw new IllegalArgumentException("firstSeq and lastSeq are both present or both absent");
    }
    if (firstSeq != null && (firstSeq < 1 || lastSeq < firstSeq)) {
      throw new IllegalArgumentException(
          "chunk seqs must satisfy 1 <= firstSeq <= lastSeq, were " + firstSeq + ", " + lastSeq);
    }
  }
}
