package io.backfill.fetcher.persistence;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

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
                                  window_from, window_to, status)
                VALUES (:job, :tenant, :request, :mailbox, :folder, :from, :to, 'pending')
                ON CONFLICT DO NOTHING
                """)
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

  /**
   * Makes {@code attemptId} the job's running attempt, if the job is in one of {@code from}; the
   * job as claimed, or empty when it was in another state. A previous attempt is fenced from here
   * on: its checkpoint and status writes name it and match nothing.
   */
  public Optional<JobRow> claim(JobId jobId, AttemptId attemptId, Set<String> from) {
    int updated =
        em.createNativeQuery(
                """
                UPDATE jobs SET status = 'running', attempt_id = :attempt, updated_at = now()
                WHERE job_id = :job AND status IN (:from)
                """)
            .setParameter("job", UUID.fromString(jobId.value()))
            .setParameter("attempt", attemptId.value())
            .setParameter("from", from)
            .executeUpdate();
    return updated == 1 ? find(jobId) : Optional.empty();
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
                                next_link = :next, updated_at = now()
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
    // A failure or hand-back after a Pause or Cancel keeps the command's status.
    String keepCommanded =
        """
        UPDATE jobs SET status = CASE WHEN status IN ('paused', 'cancelled')
                                       AND CAST(:status AS TEXT) IN ('running', 'failed')
                                      THEN status ELSE CAST(:status AS TEXT) END,
                        attempt_id = NULL, updated_at = now()%s
        WHERE job_id = :job AND attempt_id = :attempt
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
    return query.executeUpdate() == 1;
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
                UPDATE jobs SET status = 'timed_out', attempt_id = NULL, updated_at = now()
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
                       accepted_published
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
                    (Boolean) row[11]));
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
