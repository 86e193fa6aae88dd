package io.backfill.gateway.domain;

import io.backfill.contracts.rules.TenantIds;
import io.backfill.gateway.persistence.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The tenants the gateway knows, and whether each is active or suspended. A tenant id is chosen by
 * the operator and never changes. A suspended tenant's keys are refused and other services are
 * refused its credentials; suspension keeps every row, so reactivation restores it as it was.
 */
@ApplicationScoped
public class Tenants {

  /** Ids appear in topic keys ({@code tenantId/mailbox}) and URLs: the contracts' one form. */
  public static final Pattern ID = TenantIds.PATTERN;

  /** A tenant's standing. */
  public enum Status {
    ACTIVE,
    SUSPENDED;

    public String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final EntityManager em;

  Tenants(EntityManager em) {
    this.em = em;
  }

  /** Creates a tenant; false when one with this id exists already. */
  @Transactional
  public boolean create(String tenantId, String name) {
    return em.createNativeQuery(
                "INSERT INTO tenants (tenant_id, name) VALUES (:id, :name) ON CONFLICT DO NOTHING")
            .setParameter("id", tenantId)
            .setParameter("name", name)
            .executeUpdate()
        == 1;
  }

  /** A tenant as the operator sees it; {@code suspendedAt} is null for an active tenant. */
  public record Tenant(String tenantId, String name, Instant createdAt, Instant suspendedAt) {

    public Status status() {
      return suspendedAt == null ? Status.ACTIVE : Status.SUSPENDED;
    }
  }

  @Transactional
  public Optional<Tenant> find(String tenantId) {
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
                new Tenant(
                    (String) row[0], (String) row[1], Sql.instant(row[2]), Sql.instant(row[3])));
  }

  /** The tenant's status, or empty for an unknown tenant. */
  public Optional<Status> status(String tenantId) {
    return find(tenantId).map(Tenant::status);
  }

  @Transactional
  public boolean exists(String tenantId) {
    return !em.createNativeQuery("SELECT 1 FROM tenants WHERE tenant_id = :id")
        .setParameter("id", tenantId)
        .getResultList()
        .isEmpty();
  }

  /**
   * Suspends or reactivates the tenant; false for an unknown tenant. Suspending a suspended tenant
   * keeps its first suspension time.
   */
  @Transactional
  public boolean setSuspended(String tenantId, boolean suspended) {
    String sql =
        suspended
            ? "UPDATE tenants SET suspended_at = coalesce(suspended_at, now()) WHERE tenant_id = :id"
            : "UPDATE tenants SET suspended_at = NULL WHERE tenant_id = :id";
    return em.createNativeQuery(sql).setParameter("id", tenantId).executeUpdate() == 1;
  }
}
