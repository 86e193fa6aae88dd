package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The tenants (table {@code tenants}). Callers own the transaction. */
@ApplicationScoped
public class TenantStore {

  /** A tenant as stored; {@code suspendedAt} is null for an active tenant. */
  public record StoredTenant(
      String tenantId, String name, Instant createdAt, Instant suspendedAt) {}

  private final EntityManager em;

  TenantStore(EntityManager em) {
    this.em = em;
  }

  /** Inserts a tenant; false when one with this id exists already. */
  public boolean insertIfAbsent(String tenantId, String name) {
    return em.createNativeQuery(
                "INSERT INTO tenants (tenant_id, name) VALUES (:id, :name) ON CONFLICT DO NOTHING")
            .setParameter("id", tenantId)
            .setParameter("name", name)
            .executeUpdate()
        == 1;
  }

  public Optional<StoredTenant> find(String tenantId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT tenant_id, name, created_at, suspended_at FROM tenants"
                    + " WHERE tenant_id = :id")
            .setParameter("id", tenantId)
            .getResultList();
    return rows.stream()
        .findFirst()
        .map(
            row ->
                new StoredTenant(
                    (String) row[0], (String) row[1], Sql.instant(row[2]), Sql.instant(row[3])));
  }

  public boolean exists(String tenantId) {
    return !em.createNativeQuery("SELECT 1 FROM tenants WHERE tenant_id = :id")
        .setParameter("id", tenantId)
        .getResultList()
        .isEmpty();
  }

  /** Sets the suspension time unless one is set already; false for an unknown tenant. */
  public boolean suspend(String tenantId) {
    return em.createNativeQuery(
                "UPDATE tenants SET suspended_at = coalesce(suspended_at, now())"
                    + " WHERE tenant_id = :id")
            .setParameter("id", tenantId)
            .executeUpdate()
        == 1;
  }

  /** Clears the suspension time; false for an unknown tenant. */
  public boolean reactivate(String tenantId) {
    return em.createNativeQuery("UPDATE tenants SET suspended_at = NULL WHERE tenant_id = :id")
            .setParameter("id", tenantId)
            .executeUpdate()
        == 1;
  }
}
