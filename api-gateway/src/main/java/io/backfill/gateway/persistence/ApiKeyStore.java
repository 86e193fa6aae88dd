package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Tenants' API keys (table {@code api_keys}), stored by the SHA-256 of the key, never the key.
 * Callers own the transaction.
 */
@ApplicationScoped
public class ApiKeyStore {

  /** A key as stored: what may be shown about it (never the key nor its hash). */
  public record StoredKey(
      UUID keyId,
      String label,
      String prefix,
      Instant createdAt,
      Instant lastUsedAt,
      Instant revokedAt) {}

  /** A key found by its hash, with its tenant's suspension; null times are not set. */
  public record KeyOwner(
      UUID keyId, String tenantId, Instant revokedAt, Instant lastUsedAt, Instant suspendedAt) {}

  private final EntityManager em;

  ApiKeyStore(EntityManager em) {
    this.em = em;
  }

  public void insert(
      UUID keyId, String tenantId, String keyHash, String prefix, String label, Instant created) {
    Query insert =
        em.createNativeQuery(
                "INSERT INTO api_keys (key_id, tenant_id, key_hash, key_prefix, label, created_at)"
                    + " VALUES (:id, :tenant, :hash, :prefix, :label, :created)")
            .setParameter("id", keyId)
            .setParameter("tenant", tenantId)
            .setParameter("hash", keyHash)
            .setParameter("prefix", prefix)
            .setParameter("created", created);
    Sql.bind(insert, "label", label, String.class).executeUpdate();
  }

  /** The key with this hash and its tenant's suspension, if there is one. */
  public Optional<KeyOwner> findByHash(String keyHash) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT k.key_id, k.tenant_id, k.revoked_at, k.last_used_at, t.suspended_at"
                    + " FROM api_keys k JOIN tenants t ON t.tenant_id = k.tenant_id"
                    + " WHERE k.key_hash = :hash")
            .setParameter("hash", keyHash)
            .getResultList();
    return rows.stream()
        .findFirst()
        .map(
            row ->
                new KeyOwner(
                    (UUID) row[0],
                    (String) row[1],
                    Sql.instant(row[2]),
                    Sql.instant(row[3]),
                    Sql.instant(row[4])));
  }

  /**
   * Records a use now, unless the key was revoked or its last use was recorded within {@code
   * precision}: conditional, so concurrent first requests write once.
   */
  public void recordUse(UUID keyId, Duration precision) {
    em.createNativeQuery(
            "UPDATE api_keys SET last_used_at = now() WHERE key_id = :id AND revoked_at IS NULL"
                + " AND (last_used_at IS NULL OR last_used_at < now() - :precision *"
                + " interval '1 second')")
        .setParameter("id", keyId)
        .setParameter("precision", precision.toSeconds())
        .executeUpdate();
  }

  /** Every key of the tenant, revoked ones included, oldest first. */
  public List<StoredKey> listOf(String tenantId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT key_id, label, key_prefix, created_at, last_used_at, revoked_at"
                    + " FROM api_keys WHERE tenant_id = :tenant ORDER BY created_at, key_id")
            .setParameter("tenant", tenantId)
            .getResultList();
    return rows.stream()
        .map(
            row ->
                new StoredKey(
                    (UUID) row[0],
                    (String) row[1],
                    (String) row[2],
                    Sql.instant(row[3]),
                    Sql.instant(row[4]),
                    Sql.instant(row[5])))
        .toList();
  }

  /** Whether a key is live or revoked, as locked for a revocation. */
  public enum Standing {
    LIVE,
    REVOKED,
    /** The tenant has no such key. */
    NOT_FOUND
  }

  /** Locks the tenant's key until the transaction ends and says whether it is revoked. */
  public Standing lockForRevocation(String tenantId, UUID keyId) {
    @SuppressWarnings("unchecked")
    List<Object> revokedAt =
        em.createNativeQuery(
                "SELECT revoked_at FROM api_keys WHERE key_id = :id AND tenant_id = :tenant"
                    + " FOR UPDATE")
            .setParameter("id", keyId)
            .setParameter("tenant", tenantId)
            .getResultList();
    if (revokedAt.isEmpty()) {
      return Standing.NOT_FOUND;
    }
    return revokedAt.get(0) == null ? Standing.LIVE : Standing.REVOKED;
  }

  public void markRevoked(UUID keyId) {
    em.createNativeQuery("UPDATE api_keys SET revoked_at = now() WHERE key_id = :id")
        .setParameter("id", keyId)
        .executeUpdate();
  }

  /** Whether the key exists and is not revoked. */
  public boolean isLive(UUID keyId) {
    return !em.createNativeQuery("SELECT 1 FROM api_keys WHERE key_id = :id AND revoked_at IS NULL")
        .setParameter("id", keyId)
        .getResultList()
        .isEmpty();
  }
}
