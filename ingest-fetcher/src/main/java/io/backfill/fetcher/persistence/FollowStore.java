package io.backfill.fetcher.persistence;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of following (decision 0037): a followed job's folders and their links, and its rounds as
 * a queue in the jobs table (due time, claim, fencing by the round attempt's id). Callers own the
 * transaction.
 */
@ApplicationScoped
public class FollowStore {

  private final EntityManager em;

  FollowStore(EntityManager em) {
    this.em = em;
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

  public List<Folder> folders(JobId jobId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                SELECT folder_id, position, delta_link, next_link, sweep_since, gone, done_round
                FROM follow_folders WHERE job_id = :job ORDER BY position
                """)
            .setParameter("job", uuid(jobId))
            .getResultList();
    return rows.stream()
        .map(
            r ->
                new Folder(
                    (String) r[0],
                    ((Number) r[1]).intValue(),
                    (String) r[2],
                    (String) r[3],
                    r[4] == null ? null : ((Number) r[4]).intValue(),
                    (Boolean) r[5],
                    ((Number) r[6]).intValue()))
        .toList();
  }

  /** Adds folders after the job's others (present ones are left as they are). */
  public void addFolders(JobId jobId, Collection<String> folderIds) {
    for (String folderId : folderIds) {
      em.createNativeQuery(
              """
              INSERT INTO follow_folders (job_id, folder_id, position)
              VALUES (:job, :folder,
                      (SELECT COALESCE(MAX(position), 0) + 1 FROM follow_folders WHERE job_id = :job))
              ON CONFLICT DO NOTHING
              """)
          .setParameter("job", uuid(jobId))
          .setParameter("folder", folderId)
          .executeUpdate();
    }
  }

  /** The folders are gone from the mailbox: each gets its sweep with an empty listing. */
  public void markGone(JobId jobId, Collection<String> folderIds) {
    if (folderIds.isEmpty()) {
      return;
    }
    em.createNativeQuery(
            "UPDATE follow_folders SET gone = true WHERE job_id = :job AND folder_id IN (:ids)")
        .setParameter("job", uuid(jobId))
        .setParameter("ids", folderIds)
        .executeUpdate();
  }

  public void setFoldersDeltaLink(JobId jobId, String link) {
    em.createNativeQuery("UPDATE jobs SET folders_delta_link = :link WHERE job_id = :job")
        .setParameter("job", uuid(jobId))
        .setParameter("link", link)
        .executeUpdate();
  }

  public String foldersDeltaLink(JobId jobId) {
    @SuppressWarnings("unchecked")
    List<Object> link =
        em.createNativeQuery("SELECT folders_delta_link FROM jobs WHERE job_id = :job")
            .setParameter("job", uuid(jobId))
            .getResultList();
    return link.isEmpty() || link.get(0) == null ? null : link.get(0).toString();
  }

  /** Graph refused the folder's stored link (410): it is listed afresh. */
  public void resetFolder(JobId jobId, String folderId) {
    em.createNativeQuery(
            """
            UPDATE follow_folders SET delta_link = NULL, next_link = NULL, sweep_since = NULL
            WHERE job_id = :job AND folder_id = :folder
            """)
        .setParameter("job", uuid(jobId))
        .setParameter("folder", folderId)
        .executeUpdate();
  }

  /**
   * History done: following starts, paused or ended as the job's status says, the first round due
   * after {@code delay}. The follow state, or empty when following had already started (a retried
   * completion) or the job is not followed.
   */
  public Optional<String> startFollowing(JobId jobId, Duration delay) {
    @SuppressWarnings("unchecked")
    List<Object> state =
        em.createNativeQuery(
                """
                UPDATE jobs SET follow_state = CASE status WHEN 'cancelled' THEN 'ended'
                                                           WHEN 'paused' THEN 'paused'
                                                           ELSE 'following' END,
                                follow_due_at = now() + make_interval(secs => :delay)
                WHERE job_id = :job AND follow AND follow_state IS NULL
                RETURNING follow_state
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("delay", delay.toMillis() / 1000.0)
            .getResultList();
    return state.stream().findFirst().map(Object::toString);
  }

  /**
   * FollowJob: a job fetched without following starts following now; its folders are listed afresh
   * in round 1. False when the job is not such a job.
   */
  public boolean followFetched(JobId jobId, Integer intervalSeconds) {
    return em.createNativeQuery(
                """
                UPDATE jobs SET follow = true, follow_state = 'following', follow_due_at = now(),
                                follow_interval_seconds = NULLIF(:interval, 0),
                                updated_at = now()
                WHERE job_id = :job AND status = 'fetched' AND NOT follow
                  AND follow_state IS NULL
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("interval", intervalSeconds == null ? 0 : intervalSeconds)
            .executeUpdate()
        == 1;
  }

  /** Moves the follow state from {@code from} to {@code to}; false when it was not {@code from}. */
  public boolean moveFollowState(JobId jobId, Collection<String> from, String to) {
    return em.createNativeQuery(
                """
                UPDATE jobs SET follow_state = :to, updated_at = now()
                WHERE job_id = :job AND follow_state IN (:from)
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("from", from)
            .setParameter("to", to)
            .executeUpdate()
        == 1;
  }

  /**
   * Claims the most overdue due round of a following job whose round attempt (if any) is dead: an
   * open round is resumed under its own number, else the next round opens now.
   */
  public Optional<Round> claimDue(AttemptId attemptId, Duration deadAfter) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                UPDATE jobs SET follow_attempt_id = :attempt, follow_alive_at = now(),
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
                         OR follow_alive_at < now() - make_interval(secs => :dead))
                  ORDER BY follow_due_at, job_id
                  LIMIT 1
                  FOR UPDATE SKIP LOCKED)
                RETURNING job_id, follow_round, round_started_at, round_listed, round_removed,
                          round_resynced, round_requests, round_first_seq, folders_delta_link
                """)
            .setParameter("attempt", attemptId.value())
            .setParameter("dead", deadAfter.toMillis() / 1000.0)
            .getResultList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Object[] r = rows.get(0);
    JobId jobId = new JobId(r[0].toString());
    JobRow job =
        new JobStore(em).find(jobId).orElseThrow(() -> new IllegalStateException("job vanished"));
    return Optional.of(
        new Round(
            job,
            ((Number) r[1]).intValue(),
            instant(r[2]),
            ((Number) r[3]).intValue(),
            ((Number) r[4]).intValue(),
            ((Number) r[5]).intValue(),
            ((Number) r[6]).intValue(),
            r[7] == null ? null : ((Number) r[7]).intValue(),
            (String) r[8]));
  }

  /** Round attempts of this process are alive. */
  public void renewAlive(Collection<AttemptId> attempts) {
    if (attempts.isEmpty()) {
      return;
    }
    em.createNativeQuery(
            "UPDATE jobs SET follow_alive_at = now() WHERE follow_attempt_id IN (:attempts)")
        .setParameter("attempts", attempts.stream().map(AttemptId::value).toList())
        .executeUpdate();
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
    @SuppressWarnings("unchecked")
    List<Object> state =
        em.createNativeQuery(
                """
                UPDATE jobs SET pages_published = :pages, round_listed = :listed,
                                round_removed = :removed, round_resynced = :resynced,
                                round_requests = :requests,
                                round_first_seq = NULLIF(:first, 0),
                                follow_alive_at = now(), updated_at = now()
                WHERE job_id = :job AND follow_attempt_id = :attempt
                RETURNING follow_state
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("attempt", attemptId.value())
            .setParameter("pages", pages)
            .setParameter("listed", listed)
            .setParameter("removed", removed)
            .setParameter("resynced", resynced)
            .setParameter("requests", requests)
            .setParameter("first", firstSeq == null ? 0 : firstSeq)
            .getResultList();
    if (state.isEmpty()) {
      return Optional.empty();
    }
    if (folderId != null) {
      if (deltaLink != null) {
        em.createNativeQuery(
                """
                UPDATE follow_folders SET delta_link = :delta, next_link = NULL,
                                          sweep_since = NULL, done_round = :round
                WHERE job_id = :job AND folder_id = :folder
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("folder", folderId)
            .setParameter("delta", deltaLink)
            .setParameter("round", round)
            .executeUpdate();
      } else {
        em.createNativeQuery(
                """
                UPDATE follow_folders SET next_link = :next, sweep_since = NULLIF(:since, 0)
                WHERE job_id = :job AND folder_id = :folder
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("folder", folderId)
            .setParameter("next", nextLink)
            .setParameter("since", sweepSince == null ? 0 : sweepSince)
            .executeUpdate();
      }
    }
    return Optional.of(state.get(0).toString());
  }

  /** A gone folder's sweep was published: the folder is no longer followed. */
  public void dropFolder(JobId jobId, String folderId) {
    em.createNativeQuery("DELETE FROM follow_folders WHERE job_id = :job AND folder_id = :folder")
        .setParameter("job", uuid(jobId))
        .setParameter("folder", folderId)
        .executeUpdate();
  }

  /**
   * The round ended: it closes, the next is due after {@code delay}. The round as it ends (for its
   * FollowRoundCompleted), or empty when the attempt was fenced.
   */
  public Optional<Object[]> endRound(JobId jobId, AttemptId attemptId, Duration delay) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                UPDATE jobs SET follow_round_open = false, follow_attempt_id = NULL,
                                follow_alive_at = NULL,
                                follow_due_at = now() + make_interval(secs => :delay),
                                last_round_started_at = round_started_at,
                                last_round_completed_at = now(), updated_at = now()
                WHERE job_id = :job AND follow_attempt_id = :attempt
                RETURNING round_started_at, round_listed, round_removed, round_resynced,
                          round_requests, round_first_seq, pages_published
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("attempt", attemptId.value())
            .setParameter("delay", delay.toMillis() / 1000.0)
            .getResultList();
    return rows.stream().findFirst();
  }

  /**
   * The attempt ends without ending the round (stopped, failed, handed back): the round stays open
   * for the next claim, which may come after {@code retryAfter} (null: as soon as it is due).
   */
  public boolean release(JobId jobId, AttemptId attemptId, Duration retryAfter) {
    return em.createNativeQuery(
                """
                UPDATE jobs SET follow_attempt_id = NULL, follow_alive_at = NULL,
                  follow_due_at = CASE WHEN :later > 0
                                       THEN now() + make_interval(secs => :later)
                                       ELSE follow_due_at END,
                  updated_at = now()
                WHERE job_id = :job AND follow_attempt_id = :attempt
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("attempt", attemptId.value())
            .setParameter("later", retryAfter == null ? 0.0 : retryAfter.toMillis() / 1000.0)
            .executeUpdate()
        == 1;
  }

  /**
   * RetryDue for a round: the open round is due now, its attempt (if dead) fenced. False when the
   * job is not following with an open round, or its round attempt is alive.
   */
  public boolean retryRound(JobId jobId, Duration deadAfter) {
    return em.createNativeQuery(
                """
                UPDATE jobs SET follow_attempt_id = NULL, follow_alive_at = NULL,
                                follow_due_at = now(), updated_at = now()
                WHERE job_id = :job AND follow_state = 'following' AND follow_round_open
                  AND (follow_attempt_id IS NULL OR follow_alive_at IS NULL
                       OR follow_alive_at < now() - make_interval(secs => :dead))
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("dead", deadAfter.toMillis() / 1000.0)
            .executeUpdate()
        == 1;
  }

  /** The ledger timed the round attempt out: fenced. */
  public boolean timeOut(JobId jobId, AttemptId attemptId) {
    return em.createNativeQuery(
                """
                UPDATE jobs SET follow_attempt_id = NULL, follow_alive_at = NULL
                WHERE job_id = :job AND follow_attempt_id = :attempt
                """)
            .setParameter("job", uuid(jobId))
            .setParameter("attempt", attemptId.value())
            .executeUpdate()
        == 1;
  }

  /** Following jobs, paused ones, overdue ones, and the largest lag in seconds (gauges). */
  public long[] gauges(int overdueIntervals, int defaultIntervalSeconds) {
    Object[] r =
        (Object[])
            em.createNativeQuery(
                    """
                    SELECT count(*) FILTER (WHERE follow_state = 'following'),
                           count(*) FILTER (WHERE follow_state = 'paused'),
                           count(*) FILTER (WHERE follow_state = 'following'
                             AND COALESCE(last_round_completed_at, follow_due_at) < now()
                               - make_interval(secs => :n * COALESCE(follow_interval_seconds,
                                                                     :interval))),
                           COALESCE(MAX(EXTRACT(EPOCH FROM now() - last_round_started_at))
                             FILTER (WHERE follow_state = 'following'), 0)
                    FROM jobs WHERE follow_state IS NOT NULL
                    """)
                .setParameter("n", overdueIntervals)
                .setParameter("interval", defaultIntervalSeconds)
                .getSingleResult();
    return new long[] {
      ((Number) r[0]).longValue(),
      ((Number) r[1]).longValue(),
      ((Number) r[2]).longValue(),
      ((Number) r[3]).longValue()
    };
  }

  private static UUID uuid(JobId jobId) {
    return UUID.fromString(jobId.value());
  }

  public static Instant instant(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Instant instant) {
      return instant;
    }
    if (value instanceof OffsetDateTime offset) {
      return offset.toInstant();
    }
    if (value instanceof Timestamp timestamp) {
      return timestamp.toInstant();
    }
    throw new IllegalStateException("unexpected timestamp type " + value.getClass().getName());
  }
}
