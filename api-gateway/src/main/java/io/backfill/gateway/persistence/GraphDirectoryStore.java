package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Which Entra directory each tenant is bound to (table {@code tenant_graph_directories}). Callers
 * own the transaction.
 */
@ApplicationScoped
public class GraphDirectoryStore {

  /** A tenant's directory as stored; {@code boundVia} is {@code consent} or {@code admin}. */
  public record StoredBinding(String directoryId, Instant boundAt, String boundVia) {}

  private final EntityManager em;

  GraphDirectoryStore(EntityManager em) {
    this.em = em;
  }

  /**
   * Takes the directory's transaction-scoped advisory lock: a second transaction binding the same
   * directory waits here until the first ends.
   */
  public void lockDirectory(String directoryId) {
    em.createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('graph-directory:' || :dir))")
        .setParameter("dir", directoryId)
        .getSingleResult();
  }

  /** Whether a tenant other than {@code tenantId} is bound to the directory. */
  public boolean boundToAnotherTenant(String directoryId, String tenantId) {
    return !em.createNativeQuery(
            "SELECT 1 FROM tenant_graph_directories"
                + " WHERE directory_id = :dir AND tenant_id <> :tenant")
        .setParameter("dir", directoryId)
        .setParameter("tenant", tenantId)
        .getResultList()
        .isEmpty();
  }

  /** Binds the tenant to the directory now, replacing its binding. */
  public void bind(String tenantId, String directoryId, String boundVia) {
    em.createNativeQuery(
            "INSERT INTO tenant_graph_directories (tenant_id, directory_id, bound_via, bound_at)"
                + " VALUES (:tenant, :dir, :via, now())"
                + " ON CONFLICT (tenant_id) DO UPDATE SET directory_id = EXCLUDED.directory_id,"
                + " bound_via = EXCLUDED.bound_via, bound_at = EXCLUDED.bound_at")
        .setParameter("tenant", tenantId)
        .setParameter("dir", directoryId)
        .setParameter("via", boundVia)
        .executeUpdate();
  }

  /** False when the tenant had no binding. */
  public boolean unbind(String tenantId) {
    return em.createNativeQuery("DELETE FROM tenant_graph_directories WHERE tenant_id = :tenant")
            .setParameter("tenant", tenantId)
            .executeUpdate()
        == 1;
  }

  public Optional<StoredBinding> find(String tenantId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT directory_id, bound_at, bound_via FROM tenant_graph_directories"
                    + " WHERE tenant_id = :tenant")
            .setParameter("tenant", tenantId)
            .getResultList();
    return rows.stream()
        .findFirst()
        .map(row -> new StoredBinding((String) row[0], Sql.instant(row[1]), (String) row[2]));
  }
}
