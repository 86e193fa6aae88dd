package io.backfill.gateway.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The status of one backfill job as {@code GET /api/v1/backfills/{jobId}} serves it. Null fields
 * are not known yet (e.g. {@code chunks} before the job completes).
 *
 * @param status pending, rejected, running, paused, cancelled, completed, failed, or timed-out (the
 *     job's fetch run was timed out by the ledger and no newer attempt runs)
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
    Counts counts,
    List<Run> runs,
    int runsTotal,
    List<Timeout> timeouts,
    List<ErrorView> lastErrors,
    Instant createdAt,
    Instant updatedAt,
    UUID lastEventId,
    Instant lastEventAt,
    Stop stop,
    Follow follow) {

  /**
   * A followed job's delta rounds (docs/decisions/0037); null while the job is not followed. The
   * job's {@code status} is its history's and stays {@code completed} while it is followed.
   *
   * @param state following, paused (rounds held) or ended (cancelled; for good)
   * @param intervalSeconds seconds between rounds; null until the fetcher announced it
   * @param rounds delta rounds completed
   * @param lastRoundAt when the latest completed round started: the copy is as current as this
   * @param lagSeconds seconds from {@code lastRoundAt} to now; null before the first round
   * @param changes what the job's extracted chunks changed, summed
   * @param resyncs folders listed afresh because Graph refused their delta link (410)
   */
  public record Follow(
      String state,
      Integer intervalSeconds,
      long rounds,
      Instant lastRoundAt,
      Long lagSeconds,
      Changes changes,
      long resyncs) {}

  /** Messages new to the copy, changed, seen again unchanged (not extracted again), removed. */
  public record Changes(long created, long updated, long unchanged, long deleted) {}

  /**
   * A paused or cancelled job's stop (null otherwise): when it was asked to stop and what was
   * extracted before it. A chunk stopped mid-way writes nothing, so these counts do not grow after
   * the stop; they equal {@code progress.chunksDone} and {@code progress.messagesExtracted}.
   *
   * @param state paused or cancelled
   * @param at when the fetcher paused or cancelled the job
   * @param chunksExtracted chunks extracted (or given up on) before the stop
   * @param messagesExtracted messages those chunks extracted
   * @param runsStopped runs (fetch and chunks) that ended stopped and would be re-driven on resume
   */
  public record Stop(
      String state, Instant at, long chunksExtracted, long messagesExtracted, int runsStopped) {}

  /** The time window to backfill: from inclusive, to exclusive. */
  public record Window(Instant from, Instant to) {}

  /**
   * How far the job got. {@code percent} = chunksDone / chunksKnown, never above 100, and below 100
   * while {@code hasMore} (the fetcher is still paging, so more chunks may come).
   *
   * @param chunksKnown chunks the fetcher published (or, once completed, the job's chunk count)
   * @param chunksDone chunks extracted, or given up on by the ledger
   * @param eta estimated end, only while running with all chunks known
   */
  public record Progress(
      long chunksKnown,
      long chunksDone,
      long messagesFetched,
      long messagesExtracted,
      int percent,
      boolean hasMore,
      Instant eta,
      int chunksPublished,
      Integer chunks,
      Integer failedChunks) {}

  /**
   * What extraction wrote for the job, chunks by LLM outcome, and the chunks whose LLM outcome
   * failed or was partial by its reason (the ten most frequent reasons).
   */
  public record Counts(
      long entities,
      long relationships,
      long embeddings,
      Map<String, Long> llmOutcomes,
      Map<String, Long> llmFailureReasons) {}

  /** One run of the job with its attempts, oldest attempt first. */
  public record Run(
      String runId,
      String lane,
      String state,
      Integer retryDueAttempt,
      String retryReason,
      List<Attempt> attempts) {}

  /** One attempt: who ran it, which build, and how long ago the gateway last heard a heartbeat. */
  public record Attempt(
      UUID attemptId,
      Integer attemptNumber,
      String state,
      String workerId,
      String buildSha,
      Instant startedAt,
      Instant endedAt,
      Instant lastHeartbeatAt,
      Long lastHeartbeatAgeMs,
      Long progressDone,
      Long progressTotal,
      String progressPhase,
      Long stalledForMs,
      String stopReason,
      String stopDetail) {}

  /** An attempt the ledger timed out, with its diagnosis (rule, heartbeat age, worker, build…). */
  public record Timeout(String runId, UUID attemptId, Integer attemptNumber, Object diagnosis) {}

  /** A failure with its full stack trace, never just a message. */
  public record ErrorView(
      String runId,
      UUID attemptId,
      String type,
      String message,
      String stackTrace,
      Boolean retryable) {}
}
