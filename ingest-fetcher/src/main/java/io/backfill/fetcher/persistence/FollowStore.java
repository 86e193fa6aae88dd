package io.backfill.fetcher.persistence;

import static io.backfill.fetcher.persistence.JobStore.seconds;
import static io.backfill.fetcher.persistence.JobStore.uuid;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of following (decision 0037): a followed job's state and its rounds as a queue in the
 * jobs table (due time, claim, fencing by the round attempt's id); the round checkpoint also moves
 * the folder's links. Callers own the transaction.
 */
@ApplicationScoped
public class FollowStore {

  private final Jdbc jdbc;
  private final JobStore jobs;

  FollowStore(Jdbc jdbc, JobStore jobs) {
    this.jdbc = jdbc;
    this.jobs = jobs;
  }

  /** A claimed round: the job, the round number, and the round's counts so far. */
  public record Round(
      JobRow job,
      int round,
      Instant startedAt,
      int listed,
      int removed,
      int resynced,
      int requests,
      Integer firstSeq,
      String foldersDeltaLink) {}

  /**
   * A round as it ended: when it started, its counts, its first seq (null when it published
   * nothing) and the job's seq counter after it.
   */
  public record EndedRound(
      Instant startedAt,
      int listed,
      int removed,
      int resynced,
      int requests,
      Integer firstSeq,
      int pagesPublished) {}

  /**
   * History done: following starts, paused or ended as the job's status says, the first round due
   * after {@code delay}. The follow state, or empty when following had already started (a retried
   * completion) or the job is not followed.
   */
  public Optional<String> startFollowing(JobId jobId, Duration delay) {
    return jdbc.first(
        """
        UPDATE jobs SET follow_state = CASE status WHEN 'cancelled' THEN 'ended'
                                                   WHEN 'paused' THEN 'paused'
                                                   ELSE 'following' END,
                        follow_due_at = now() + make_interval(secs => ?)
        WHERE job_id = ? AND follow AND follow_state IS NULL
        RETURNING follow_state
        """,
        r -> r.getString(1),
        seconds(delay),
        uuid(jobId));
  }

  /**
   * FollowJob: a job fetched without following starts following now; its folders are listed afresh
   * in round 1. False when the job is not such a job.
   */
  public boolean followFetched(JobId jobId, Integer intervalSeconds) {
    return jdbc.update(
            """
            UPDATE jobs SET follow = true, follow_state = 'following', follow_due_at = now(),
                            follow_interval_seconds = NULLIF(?, 0), updated_at = now()
            WHERE job_id = ? AND status = 'fetched' AND NOT follow AND follow_state IS NULL
            """,
            intervalSeconds == null ? 0 : intervalSeconds,
            uuid(jobId))
        == 1;
  }

  /** Moves the follow state from {@code from} to {@code to}; false when it was not {@code from}. */
  public boolean moveFollowState(JobId jobId, Collection<String> from, String to) {
    return jdbc.update(
            """
            UPDATE jobs SET follow_state = ?, updated_at = now()
            WHERE job_id = ? AND follow_state = ANY(?)
            """,
            to,
            uuid(jobId),
            List.copyOf(from))
        == 1;
  }

  private record Claimed(
      UUID jobId,
      int round,
      Instant startedAt,
      int listed,
      int removed,
      int resynced,
      int requests,
      Integer firstSeq,
      String foldersDeltaLink) {}

  /**
   * Claims the most overdue due round of a following job whose round attempt (if any) is dead: an
   * open round is resumed under its own number, else the next round opens now.
   */
  public Optional<Round> claimDue(AttemptId attemptId, Duration deadAfter) {
    Optional<Claimed> claimed =
        jdbc.first(
            """
            UPDATE jobs SET follow_attempt_id = ?, follow_alive_at = now(),
              follow_round = CASE WHEN follow_round_open THEN follow_round
                                  ELSE follow_round + 1 END,
              round_started_at = CASE WHEN follow_round_open THEN round_started_at
                                      ELSE now() END,
              round_listed = CASE WHEN follow_round_open THEN round_listed ELSE 0 END,
              round_removed = CASE WHEN follow_round_open THEN round_removed ELSE 0 END,
              round_resynced = CASE WHEN follow_round_open THEN round_resynced ELSE 0 END,
              round_requests = CASE WHEN follow_round_open THEN round_requests ELSE 0 END,
              round_first_seq = CASE WHEN follow_round_open THEN round_first_seq END,
              follow_round_open = true
            WHERE job_id = (
              SELECT job_id FROM jobs
              WHERE follow_state = 'following' AND follow_due_at <= now()
                AND (follow_attempt_id IS NULL OR follow_alive_at IS NULL
                     OR follow_alive_at < now() - make_interval(secs => ?))
              ORDER BY follow_due_at, job_id
              LIMIT 1
              FOR UPDATE SKIP LOCKED)
            RETURNING job_id, follow_round, round_started_at, round_listed, round_removed,
                      round_resynced, round_requests, round_first_seq, folders_delta_link
            """,
            r ->
                new Claimed(
                    r.getObject(1, UUID.class),
                    r.getInt(2),
                    Jdbc.instant(r, 3),
                    r.getInt(4),
                    r.getInt(5),
                    r.getInt(6),
                    r.getInt(7),
                    Jdbc.integer(r, 8),
                    r.getString(9)),
            attemptId.value(),
            seconds(deadAfter));
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    Claimed c = claimed.get();
    JobRow job =
        jobs.find(new JobId(c.jobId().toString()))
            .orElseThrow(() -> new IllegalStateException("job vanished"));
    return Optional.of(
        new Round(
            job,
            c.round(),
            c.startedAt(),
            c.listed(),
            c.removed(),
            c.resynced(),
            c.requests(),
            c.firstSeq(),
            c.foldersDeltaLink()));
  }

  /** Round attempts of this process are alive. */
  public void renewAlive(Collection<AttemptId> attempts) {
    if (attempts.isEmpty()) {
      return;
    }
    jdbc.update(
        "UPDATE jobs SET follow_alive_at = now() WHERE follow_attempt_id = ANY(?)",
        attempts.stream().map(AttemptId::value).toList());
  }

  /**
   * A round's checkpoint after an acknowledged chunk (or a folder's page with nothing to publish):
   * the job's seq counter, the round's counts, and the folder's links. Returns the follow state (a
   * command may have paused or ended following), or empty when the attempt no longer owns the
   * rounds (fenced).
   */
  public Optional<String> checkpoint(
      JobId jobId,
      AttemptId attemptId,
      int pages,
      int listed,
      int removed,
      int resynced,
      int requests,
      Integer firstSeq,
      String folderId,
      String nextLink,
      String deltaLink,
      Integer sweepSince,
      int round) {
    Optional<String> state =
        jdbc.first(
            """
            UPDATE jobs SET pages_published = ?, round_listed = ?, round_removed = ?,
                            round_resynced = ?, round_requests = ?,
                            round_first_seq = NULLIF(?, 0),
                            follow_alive_at = now(), updated_at = now()
            WHERE job_id = ? AND follow_attempt_id = ?
            RETURNING follow_state
            """,
            r -> r.getString(1),
            pages,
            listed,
            removed,
            resynced,
            requests,
            firstSeq == null ? 0 : firstSeq,
            uuid(jobId),
            attemptId.value());
    if (state.isEmpty() || folderId == null) {
      return state;
    }
    if (deltaLink != null) {
      jdbc.update(
          """
          UPDATE follow_folders SET delta_link = ?, next_link = NULL,
                                    sweep_since = NULL, done_round = ?
          WHERE job_id = ? AND folder_id = ?
          """,
          deltaLink,
          round,
          uuid(jobId),
          folderId);
    } else {
      jdbc.update(
          """
          UPDATE follow_folders SET next_link = ?, sweep_since = NULLIF(?, 0)
          WHERE job_id = ? AND folder_id = ?
          """,
          nextLink,
          sweepSince == null ? 0 : sweepSince,
          uuid(jobId),
          folderId);
    }
    return state;
  }

  /**
   * The round ended: it closes, the next is due after {@code delay}. The round as it ends (for its
   * FollowRoundCompleted), or empty when the attempt was fenced.
   */
  public Optional<EndedRound> endRound(JobId jobId, AttemptId attemptId, Duration delay) {
    return jdbc.first(
        """
        UPDATE jobs SET follow_round_open = false, follow_attempt_id = NULL,
                        follow_alive_at = NULL,
                        follow_due_at = now() + make_interval(secs => ?),
                        last_round_started_at = round_started_at,
                        last_round_completed_at = now(), updated_at = now()
        WHERE job_id = ? AND follow_attempt_id = ?
        RETURNING round_started_at, round_listed, round_removed, round_resynced,
                  round_requests, round_first_seq, pages_published
        """,
        r ->
            new EndedRound(
                Jdbc.instant(r, 1),
                r.getInt(2),
                r.getInt(3),
                r.getInt(4),
                r.getInt(5),
                Jdbc.integer(r, 6),
                r.getInt(7)),
        seconds(delay),
        uuid(jobId),
        attemptId.value());
  }

  /**
   * The attempt ends without ending the round (stopped, failed, handed back): the round stays open
   * for the next claim, which may come after {@code retryAfter} (null: as soon as it is due).
   */
  public boolean release(JobId jobId, AttemptId attemptId, Duration retryAfter) {
    double later = retryAfter == null ? 0.0 : seconds(retryAfter);
    return jdbc.update(
            """
            UPDATE jobs SET follow_attempt_id = NULL, follow_alive_at = NULL,
              follow_due_at = CASE WHEN CAST(? AS DOUBLE PRECISION) > 0
                                   THEN now() + make_interval(secs => ?)
                                   ELSE follow_due_at END,
              updated_at = now()
            WHERE job_id = ? AND follow_attempt_id = ?
            """,
            later,
            later,
            uuid(jobId),
            attemptId.value())
        == 1;
  }

  /**
   * RetryDue for a round: the open round is due now, its attempt (if dead) fenced. False when the
   * job is not following with an open round, or its round attempt is alive.
   */
  public boolean retryRound(JobId jobId, Duration deadAfter) {
    return jdbc.update(
            """
            UPDATE jobs SET follow_attempt_id = NULL, follow_alive_at = NULL,
                            follow_due_at = now(), updated_at = now()
            WHERE job_id = ? AND follow_state = 'following' AND follow_round_open
              AND (follow_attempt_id IS NULL OR follow_alive_at IS NULL
                   OR follow_alive_at < now() - make_interval(secs => ?))
            """,
            uuid(jobId),
            seconds(deadAfter))
        == 1;
  }

  /** The ledger timed the round attempt out: fenced. */
  public boolean timeOut(JobId jobId, AttemptId attemptId) {
    return jdbc.update(
            """
            UPDATE jobs SET follow_attempt_id = NULL, follow_alive_at = NULL
            WHERE job_id = ? AND follow_attempt_id = ?
            """,
            uuid(jobId),
            attemptId.value())
        == 1;
  }

  /** Following jobs, paused ones, overdue ones, and the largest lag in seconds (gauges). */
  public long[] gauges(int overdueIntervals, int defaultIntervalSeconds) {
    return jdbc.first(
            """
            SELECT count(*) FILTER (WHERE follow_state = 'following'),
                   count(*) FILTER (WHERE follow_state = 'paused'),
                   count(*) FILTER (WHERE follow_state = 'following'
                     AND COALESCE(last_round_completed_at, follow_due_at) < now()
                       - make_interval(secs => ? * COALESCE(follow_interval_seconds, ?))),
                   COALESCE(MAX(EXTRACT(EPOCH FROM now() - last_round_started_at))
                     FILTER (WHERE follow_state = 'following'), 0)
            FROM jobs WHERE follow_state IS NOT NULL
            """,
            r -> new long[] {r.getLong(1), r.getLong(2), r.getLong(3), (long) r.getDouble(4)},
            overdueIntervals,
            defaultIntervalSeconds)
        .orElseThrow();
  }
}
