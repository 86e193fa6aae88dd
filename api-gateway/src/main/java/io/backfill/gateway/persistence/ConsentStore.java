package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;

/**
 * The admin-consent states handed out (table {@code graph_consent_states}): one row per nonce, with
 * its tenant, expiry and when it was consumed. Callers own the transaction.
 */
@ApplicationScoped
public class ConsentStore {

  private final EntityManager em;

  ConsentStore(EntityManager em) {
    this.em = em;
  }

  /** Deletes the states that expired more than {@code keep} ago. */
  public void deleteExpiredBefore(Duration keep) {
    em.createNativeQuery(
            "DELETE FROM graph_consent_states WHERE expires_at < now() - :keep * interval '1 second'")
        .setParameter("keep", keep.toSeconds())
        .executeUpdate();
  }

  public void insert(String nonce, String tenantId, Instant expiresAt) {
    em.createNativeQuery(
            "INSERT INTO graph_consent_states (nonce, tenant_id, expires_at)"
                + " VALUES (:nonce, :tenant, :expires)")
        .setParameter("nonce", nonce)
        .setParameter("tenant", tenantId)
        .setParameter("expires", expiresAt)
        .executeUpdate();
  }

  /** Marks the state consumed now; false when it is unknown or was consumed already. */
  public boolean markConsumed(String nonce, String tenantId) {
    return em.createNativeQuery(
                "UPDATE graph_consent_states SET consumed_at = now()"
                    + " WHERE nonce = :nonce AND tenant_id = :tenant AND consumed_at IS NULL")
            .setParameter("nonce", nonce)
            .setParameter("tenant", tenantId)
            .executeUpdate()
        == 1;
  }

  public boolean exists(String nonce, String tenantId) {
    return !em.createNativeQuery(
            "SELECT 1 FROM graph_consent_states WHERE nonce = :nonce AND tenant_id = :tenant")
        .setParameter("nonce", nonce)
        .setParameter("tenant", tenantId)
        .getResultList()
        .isEmpty();
  }

  /** Makes the state unconsumed again. */
  public void clearConsumed(String nonce, String tenantId) {
    em.createNativeQuery(
            "UPDATE graph_consent_states SET consumed_at = NULL"
                + " WHERE nonce = :nonce AND tenant_id = :tenant")
        .setParameter("nonce", nonce)
        .setParameter("tenant", tenantId)
        .executeUpdate();
  }
}
