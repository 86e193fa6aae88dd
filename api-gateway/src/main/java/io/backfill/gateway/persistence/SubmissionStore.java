package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The requests tenants submitted (table {@code submitted_requests}), one per (tenant, request id):
 * the row is the Idempotency-Key's claim. Callers own the transaction.
 */
@ApplicationScoped
public class SubmissionStore {

  /** What a submission asked for, with the fingerprint that identifies its fields. */
  public record Claim(
      String tenantId,
      String requestId,
      UUID jobId,
      String mailbox,
      String folder,
      Instant windowFrom,
      Instant windowTo,
      String fingerprint) {}

  private final EntityManager em;

  SubmissionStore(EntityManager em) {
    this.em = em;
  }

  /** Stores the claim; false when the tenant claimed this request id before. */
  public boolean claim(Claim claim) {
    Query insert =
        em.createNativeQuery(
                "INSERT INTO submitted_requests (tenant_id, request_id, job_id, mailbox, folder,"
                    + " window_from, window_to, fingerprint)"
                    + " VALUES (:tenant, :request, :job, :mailbox, :folder, :from, :to, :print)"
                    + " ON CONFLICT DO NOTHING")
            .setParameter("tenant", claim.tenantId())
            .setParameter("request", claim.requestId())
            .setParameter("job", claim.jobId())
            .setParameter("mailbox", claim.mailbox())
            .setParameter("from", claim.windowFrom())
            .setParameter("to", claim.windowTo())
            .setParameter("print", claim.fingerprint());
    return Sql.bind(insert, "folder", claim.folder(), String.class).executeUpdate() == 1;
  }

  /** The fingerprint the tenant's request id was claimed with; empty when it was not. */
  public Optional<String> fingerprintOf(String tenantId, String requestId) {
    @SuppressWarnings("unchecked")
    List<String> prints =
        em.createNativeQuery(
                "SELECT fingerprint FROM submitted_requests"
                    + " WHERE tenant_id = :tenant AND request_id = :request")
            .setParameter("tenant", tenantId)
            .setParameter("request", requestId)
            .getResultList();
    return prints.stream().findFirst();
  }
}
