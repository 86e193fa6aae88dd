package io.backfill.gateway.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.regex.Pattern;

/** The tenants the gateway knows. A tenant id is chosen by the operator and never changes. */
@ApplicationScoped
public class Tenants {

  /** Ids appear in topic keys ({@code tenantId/mailbox}) and URLs: keep them plain. */
  public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

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

  /** A tenant as the operator sees it. */
  public record Tenant(String tenantId, String name, java.time.Instant createdAt) {}

  @Transactional
  public java.util.Optional<Tenant> find(String tenantId) {
    @SuppressWarnings("unchecked")
    java.util.List<Object[]> rows =
        em.createNativeQuery(
                "SELECT tenant_id, name, created_at FROM tenants WHERE tenant_id = :id")
            .setParameter("id", tenantId)
            .getResultList();
    return rows.stream()
        .findFirst()
        .map(
            row ->
                new Tenant(
                    (String) row[0],
                    (String) row[1],
                    row[2] instanceof java.time.OffsetDateTime offset
                        ? offset.toInstant()
                        : row[2] instanceof java.sql.Timestamp ts
                            ? ts.toInstant()
                            : (java.time.Instant) row[2]));
  }

  @Transactional
  public boolean exists(String tenantId) {
    return !em.createNativeQuery("SELECT 1 FROM tenants WHERE tenant_id = :id")
        .setParameter("id", tenantId)
        .getResultList()
        .isEmpty();
  }
}
