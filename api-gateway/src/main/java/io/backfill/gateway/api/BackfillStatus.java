package io.backfill.gateway.api;

import io.backfill.gateway.persistence.JobView;
import java.time.Instant;
import java.util.UUID;

/**
 * The status of one backfill job as {@code GET /api/v1/backfills/{jobId}} serves it. Null fields
 * are not known yet (e.g. {@code chunks} before the job completes).
 */
public record BackfillStatus(
    UUID jobId,
    String tenantId,
    String requestId,
    String mailbox,
    String folder,
    Window window,
    String status,
    String reason,
    Progress progress,
    Instant createdAt,
    Instant updatedAt,
    UUID lastEventId,
    Instant lastEventAt) {

  /** The time window to backfill: from inclusive, to exclusive. */
  public record Window(Instant from, Instant to) {}

  /**
   * How far the job got: chunks and messages the fetcher published so far, whether it is still
   * paging, and once completed how many chunks there were and how many of them failed.
   */
  public record Progress(
      int chunksPublished,
      long messagesFetched,
      boolean hasMore,
      Integer chunks,
      Integer failedChunks) {}

  public static BackfillStatus of(JobView view) {
    return new BackfillStatus(
        view.jobId,
        view.tenantId,
        view.requestId,
        view.mailbox,
        view.folder,
        view.windowFrom == null && view.windowTo == null
            ? null
            : new Window(view.windowFrom, view.windowTo),
        view.status.wireName(),
        view.reason,
        new Progress(
            view.chunksPublished,
            view.messagesFetched,
            view.hasMore,
            view.chunks,
            view.failedChunks),
        view.createdAt,
        view.updatedAt,
        view.lastEventId,
        view.lastEventAt);
  }
}
