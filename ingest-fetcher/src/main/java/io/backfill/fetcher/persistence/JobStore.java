package io.backfill.fetcher.persistence;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.id.JobId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
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
