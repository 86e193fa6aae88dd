package io.backfill.fetcher.persistence;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.ErrorInfo;
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
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The fetcher's job SQL, written out where it is used. Callers own the transaction; every method
 * runs inside it.
 */
@ApplicationScoped
public class JobStore {

  private final EntityManager em;

  JobStore(EntityManager em) {
    this.em = em;
  }

  /** Creates the pending job of a request; false when it already exists (a repeated request). */
  public boolean insertIfAbsent(JobId jobId, BackfillRequested request) {
    return em.createNativeQuery(
                """
                INSERT INTO jobs (job_id, tenant_id, request_id, mailbox, folder,
                                  window_from, window_to, status, follow, follow_interval_seconds)
                VALUES (:job, :tenant, :request, :mailbox, :folder, :from, :to, 'pending',
                        :follow, NULLIF(:interval, 0))
                ON CONFLICT DO NOTHING
                """)
            .setParameter("follow", request.followed())
            .setParameter(
                "interval",
                request.followIntervalSeconds() == null ? 0 : request.followIntervalSeconds())
            .setParameter("job", UUID.fromString(jobId.value()))
            .setParameter("tenant", request.tenantId())
            .setParameter("request", request.requestId())
            .setParameter("mailbox", request.mailbox())
            .setParameter("folder", request.folder())
            .setParameter("from", request.from())
            .setParameter("to", request.to())
            .executeUpdate()
        == 1;
  }

  /**
   * A followed job's history checkpoint: as {@link #checkpoint}, with the folder its next link
   * belongs to, and the delta link of the folder whose listing ended on this page (if one did).
   */
  public Optional<String> checkpointFollowed(
      JobId jobId,
      AttemptId attemptId,
      int pages,
      long messages,
      String folder,
      String nextLink,
      String endedFolder,
      String deltaLink) {
    Optional<String> status = checkpoint(jobId, attemptId, pages, messages, nextLink);
    if (status.isEmpty()) {
      return status;
    }
    em.createNativeQuery("UPDATE jobs SET follow_folder = :folder WHERE job_id = :job")
        .setParameter("job", UUID.fromString(jobId.value()))
        .setParameter("folder", folder)
        .executeUpdate();
    if (endedFolder != null) {
      em.createNativeQuery(
              """
              UPDATE follow_folders SET delta_link = :delta, next_link = NULL
              WHERE job_id = :job AND folder_id = :folder
              """)
          .setParameter("job", UUID.fromString(jobId.value()))
          .setParameter("folder", endedFolder)
          .setParameter("delta", deltaLink)
          .executeUpdate();
    }
    return status;
  }

  /** Records that the broker acknowledged the job's JobAccepted. */
  public void markAcceptedPublished(JobId jobId) {
    em.createNativeQuery(
            """
            UPDATE jobs SET accepted_published = true, updated_at = now()
            WHERE job_id = :job
            """)
        .setParameter("job", UUID.fromString(jobId.value()))
        .executeUpdate();
  }

  /** What {@link #enqueue} did. */
  public enum Enqueued {
    /** The job is pending and waits in the queue for a slot on any instance. */
    QUEUED,
    /** The job already has a live attempt (claimed or running): nothing to do. */
    ALREADY_OWNED,
    /** The job is in none of the states asked for (or does not exist). */
    NOT_APPLICABLE
  }

  /**
   * Puts the job in the queue of fetch work if it is in one of {@code from}: status {@code
   * pending}, no attempt, {@code queued_at} set. A job whose attempt is alive (renewed within
   * {@code deadAfter}, or {@code aliveHere}) is left to it; a job whose attempt is dead loses it,
   * so that attempt's checkpoint and status writes match nothing from here on (fenced). Row-locked
   * against commands and claims.
   */
  public Enqueued enqueue(
      JobId jobId, Set<String> from, Duration deadAfter, Predicate<UUID> aliveHere) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                SELECT status, attempt_id,
                       last_alive_at IS NOT NULL
                         AND last_alive_at > now() - make_interval(secs => :dead)
                FROM jobs WHERE job_id = :job FOR UPDATE
                """)
            .setParameter("job", UUID.fromString(jobId.value()))
            .setParameter("dead", deadAfter.toMillis() / 1000.0)
            .getResultList();
    if (rows.isEmpty()) {
      return Enqueued.NOT_APPLICABLE;
    }
    String status = (String) rows.get(0)[0];
    UUID attempt = (UUID) rows.get(0)[1];
    boolean alive =
        attempt != null && (Boolean.TRUE.equals(rows.get(0)[2]) || aliveHere.test(attempt));
    if (!from.contains(status)) {
      return Enqueued.NOT_APPLICABLE;
    }
    if (alive && (status.equals("pending") || status.equals("running"))) {
      return status.equals("pending") ? Enqueued.ALREADY_OWNED : Enqueued.NOT_APPLICABLE;
    }
    em.createNativeQuery(
            """
            UPDATE jobs SET status = 'pending', attempt_id = NULL, last_alive_at = NULL,
                            queued_at = COALESCE(queued_at, now()), updated_at = now()
            WHERE job_id = :job
            """)
        .setParameter("job", UUID.fromString(jobId.value()))
        .executeUpdate();
    return Enqueued.QUEUED;
  }

  /**
   * Claims the oldest queued job for {@code attemptId}, skipping jobs other instances are claiming
   * (SKIP LOCKED) and jobs of {@code excludedTenants}; the job as claimed. It stays {@code pending}
   * until the attempt's RunStarted is acknowledged ({@link #markRunning}); a claim whose attempt
   * dies before that (not renewed within {@code deadAfter}) is claimed again.
   */
  public Optional<JobRow> claimNext(
      AttemptId attemptId, Collection<String> excludedTenants, Duration deadAfter) {
    String exclude = excludedTenants.isEmpty() ? "" : "AND tenant_id NOT IN (:excluded)";
    var query =
        em.createNativeQuery(
                """
                UPDATE jobs SET attempt_id = :attempt, last_alive_at = now(), updated_at = now()
                WHERE job_id = (
                  SELECT job_id FROM jobs
                  WHERE status = 'pending' AND queued_at IS NOT NULL
                    AND (attempt_id IS NULL
                         OR last_alive_at IS NULL
                         OR last_alive_at < now() - make_interval(secs => :dead))
                    %s
                  ORDER BY queued_at, job_id
                  LIMIT 1
                  FOR UPDATE SKIP LOCKED)
                RETURNING job_id
                """
                    .formatted(exclude))
            .setParameter("attempt", attemptId.value())
            .setParameter("dead", deadAfter.toMillis() / 1000.0);
    if (!excludedTenants.isEmpty()) {
      query.setParameter("excluded", excludedTenants);
    }
    @SuppressWarnings("unchecked")
    List<Object> claimed = query.getResultList();
    return claimed.stream().findFirst().flatMap(id -> find(new JobId(id.toString())));
  }

  /**
   * The claimed attempt's RunStarted was acknowledged: the job is {@code running} from now on.
   * Returns the job's status (a Pause or Cancel may have come first: then it stays so), or empty
   * when the attempt no longer owns the job.
   */
  public Optional<String> markRunning(JobId jobId, AttemptId attemptId) {
    @SuppressWarnings("unchecked")
    List<Object> status =
        em.createNativeQuery(
                """
                UPDATE jobs SET status = CASE WHEN status = 'pending' THEN 'running'
                                              ELSE status END,
                                queued_at = NULL, last_alive_at = now(), updated_at = now()
                WHERE job_id = :job AND attempt_id = :attempt
                RETURNING status
                """)
            .setParameter("job", UUID.fromString(jobId.value()))
            .setParameter("attempt", attemptId.value())
            .getResultList();
    return status.stream().findFirst().map(Object::toString);
  }

  /** Records that these attempts, running in this process, are alive. */
  public int renewAlive(Collection<AttemptId> attempts) {
    if (attempts.isEmpty()) {
      return 0;
    }
    return em.createNativeQuery(
            "UPDATE jobs SET last_alive_at = now() WHERE attempt_id IN (:attempts)")
        .setParameter("attempts", attempts.stream().map(AttemptId::value).toList())
        .executeUpdate();
  }

  /**
   * A paused or cancelled job whose fetch had published its last page goes back to {@code fetched}:
   * nothing is left to fetch. False when the job is not such a job.
   */
  public boolean resumeFetched(JobId jobId, Set<String> from) {
    return em.createNativeQuery(
                """
                UPDATE jobs SET status = 'fetched', queued_at = NULL, updated_at = now()
                WHERE job_id = :job AND status IN (:from) AND attempt_id IS NULL
                  AND pages_published > 0 AND next_link IS NULL
                """)
            .setParameter("job", UUID.fromString(jobId.value()))
            .setParameter("from", from)
            .executeUpdate()
        == 1;
  }

  /**
   * Moves the checkpoint after Kafka acknowledged the page's chunk. Returns the job's status (a
   * command may have paused or cancelled it meanwhile), or empty when {@code attemptId} no longer
   * owns the job (superseded or timed out).
   */
  public Optional<String> checkpoint(
      JobId jobId, AttemptId attemptId, int pages, long messages, String nextLink) {
    @SuppressWarnings("unchecked")
    List<Object> status =
        em.createNativeQuery(
                """
                UPDATE jobs SET pages_published = :pages, messages_published = :messages,
                                next_link = :next, last_alive_at = now(), updated_at = now()
                WHERE job_id = :job AND attempt_id = :attempt
                RETURNING status
                """)
            .setParameter("job", UUID.fromString(jobId.value()))
            .setParameter("attempt", attemptId.value())
            .setParameter("pages", pages)
            .setParameter("messages", messages)
            .setParameter("next", nextLink)
            .getResultList();
    return status.stream().findFirst().map(Object::toString);
  }

  /**
   * Ends the attempt's ownership with a status (fetched, failed, paused, cancelled, running for a
   * hand-back) and, for failures, the error. False when the attempt no longer owned the job.
   */
  public boolean release(JobId jobId, AttemptId attemptId, String status, ErrorInfo error) {
    return releaseAs(jobId, attemptId, status, error).isPresent();
  }

  /**
   * As {@link #release}, returning the status the job was left in (a Pause or Cancel that came
   * while the attempt ran keeps its status, even over {@code fetched}), or empty when the attempt
   * no longer owned the job.
   */
  public Optional<String> releaseAs(
      JobId jobId, AttemptId attemptId, String status, ErrorInfo error) {
    // A failure, hand-back or completion after a Pause or Cancel keeps the command's status.
    String keepCommanded =
        """
        UPDATE jobs SET status = CASE WHEN status IN ('paused', 'cancelled')
                                       AND CAST(:status AS TEXT) IN ('running', 'failed', 'fetched')
                                      THEN status ELSE CAST(:status AS TEXT) END,
                        attempt_id = NULL, last_alive_at = NULL, queued_at = NULL,
                        updated_at = now()%s
        WHERE job_id = :job AND attempt_id = :attempt
        RETURNING status
        """;
    var query =
        em.createNativeQuery(
                keepCommanded.formatted(
                    error == null
                        ? ""
                        : ", last_error_type = :type, last_error_message = :message,"
                            + " last_error_stack_trace = :trace"))
            .setParameter("job", UUID.fromString(jobId.value()))
            .setParameter("attempt", attemptId.value())
            .setParameter("status", status);
    if (error != null) {
      query
          .setParameter("type", error.type())
          .setParameter("message", String.valueOf(error.message()))
          .setParameter("trace", String.valueOf(error.stackTrace()));
    }
    @SuppressWarnings("unchecked")
    List<Object> after = query.getResultList();
    return after.stream().findFirst().map(Object::toString);
  }

  /**
   * Sets the status of a job that is in one of {@code from}; the status it had, or empty when it
   * was in none of them (or does not exist). Row-locked, so a command and an attempt's own
   * transition never interleave.
   */
  public Optional<String> transition(JobId jobId, Set<String> from, String to) {
    @SuppressWarnings("unchecked")
    List<Object> before =
        em.createNativeQuery("SELECT status FROM jobs WHERE job_id = :job FOR UPDATE")
            .setParameter("job", UUID.fromString(jobId.value()))
            .getResultList();
    Optional<String> status = before.stream().findFirst().map(Object::toString);
    if (status.isEmpty() || !from.contains(status.get())) {
      return Optional.empty();
    }
    em.createNativeQuery("UPDATE jobs SET status = :to, updated_at = now() WHERE job_id = :job")
        .setParameter("job", UUID.fromString(jobId.value()))
        .setParameter("to", to)
        .executeUpdate();
    return status;
  }

  /** The ledger timed the attempt out: the job waits for RetryDue or Resume. */
  public boolean timeOut(JobId jobId, AttemptId attemptId) {
    return em.createNativeQuery(
                """
                UPDATE jobs SET status = 'timed_out', attempt_id = NULL, last_alive_at = NULL,
                                updated_at = now()
                WHERE job_id = :job AND attempt_id = :attempt
                """)
            .setParameter("job", UUID.fromString(jobId.value()))
            .setParameter("attempt", attemptId.value())
            .executeUpdate()
        == 1;
  }

  /** The job's last error as stored (type, message, stack trace), if any. */
  public Optional<ErrorInfo> lastError(JobId jobId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                SELECT last_error_type, last_error_message, last_error_stack_trace
                FROM jobs WHERE job_id = :job AND last_error_type IS NOT NULL
                """)
            .setParameter("job", UUID.fromString(jobId.value()))
            .getResultList();
    return rows.stream()
        .findFirst()
        .map(row -> new ErrorInfo((String) row[0], (String) row[1], (String) row[2]));
  }

  public Optional<JobRow> find(JobId jobId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                SELECT job_id, tenant_id, request_id, mailbox, folder, window_from, window_to,
                       status, pages_published, messages_published, next_link,
                       accepted_published, follow, follow_interval_seconds, follow_state,
                       follow_folder
                FROM jobs WHERE job_id = :job
                """)
            .setParameter("job", UUID.fromString(jobId.value()))
            .getResultList();
    return rows.stream()
        .findFirst()
        .map(
            row ->
                new JobRow(
                    new JobId(row[0].toString()),
                    (String) row[1],
                    (String) row[2],
                    (String) row[3],
                    (String) row[4],
                    instant(row[5]),
                    instant(row[6]),
                    (String) row[7],
                    ((Number) row[8]).intValue(),
                    ((Number) row[9]).longValue(),
                    (String) row[10],
                    (Boolean) row[11],
                    (Boolean) row[12],
                    row[13] == null ? null : ((Number) row[13]).intValue(),
                    (String) row[14],
                    (String) row[15]));
  }

  /** timestamptz comes back as Instant, OffsetDateTime or Timestamp depending on the driver. */
  private static Instant instant(Object value) {
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
