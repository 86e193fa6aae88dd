package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tenants' secrets as ciphertext (table {@code tenant_secrets}): the id of the master key that
 * sealed each, its nonce and its ciphertext; never a plaintext. Callers own the transaction.
 */
@ApplicationScoped
public class SecretStore {

  /** A secret as stored: sealed under master key {@code keyId}. */
  public record SealedSecret(String keyId, byte[] nonce, byte[] ciphertext) {}

  /** Which secret: a tenant's name. */
  public record SecretName(String tenantId, String name) {}

  private final EntityManager em;

  SecretStore(EntityManager em) {
    this.em = em;
  }

  /** Stores the secret, replacing the tenant's secret of that name. */
  public void put(String tenantId, String name, SealedSecret sealed) {
    em.createNativeQuery(
            "INSERT INTO tenant_secrets (tenant_id, name, key_id, nonce, ciphertext, updated_at)"
                + " VALUES (:tenant, :name, :key, :nonce, :ciphertext, now())"
                + " ON CONFLICT (tenant_id, name) DO UPDATE SET key_id = EXCLUDED.key_id,"
                + " nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext, updated_at = now()")
        .setParameter("tenant", tenantId)
        .setParameter("name", name)
        .setParameter("key", sealed.keyId())
        .setParameter("nonce", sealed.nonce())
        .setParameter("ciphertext", sealed.ciphertext())
        .executeUpdate();
  }

  /** False when there was no such secret. */
  public boolean delete(String tenantId, String name) {
    return em.createNativeQuery(
                "DELETE FROM tenant_secrets WHERE tenant_id = :tenant AND name = :name")
            .setParameter("tenant", tenantId)
            .setParameter("name", name)
            .executeUpdate()
        == 1;
  }

  /** How many of the two names the tenant has a secret for (0, 1 or 2). */
  public int countNamed(String tenantId, String first, String second) {
    return ((Number)
            em.createNativeQuery(
                    "SELECT count(*) FROM tenant_secrets WHERE tenant_id = :tenant"
                        + " AND name IN (:clientId, :clientSecret)")
                .setParameter("tenant", tenantId)
                .setParameter("clientId", first)
                .setParameter("clientSecret", second)
                .getSingleResult())
        .intValue();
  }

  public Optional<SealedSecret> find(String tenantId, String name) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        Sql.bind(
                em.createNativeQuery(
                    "SELECT key_id, nonce, ciphertext FROM tenant_secrets"
                        + " WHERE tenant_id = :tenant AND name = :name"),
                "name",
                name,
                String.class)
            .setParameter("tenant", tenantId)
            .getResultList();
    return rows.stream().findFirst().map(SecretStore::sealed);
  }

  /** Like {@link #find}, and locks the row until the transaction ends. */
  public Optional<SealedSecret> lock(String tenantId, String name) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT key_id, nonce, ciphertext FROM tenant_secrets"
                    + " WHERE tenant_id = :tenant AND name = :name FOR UPDATE")
            .setParameter("tenant", tenantId)
            .setParameter("name", name)
            .getResultList();
    return rows.stream().findFirst().map(SecretStore::sealed);
  }

  /** Replaces the sealed value of an existing secret (its updated_at stays). */
  public void reseal(String tenantId, String name, SealedSecret sealed) {
    em.createNativeQuery(
            "UPDATE tenant_secrets SET key_id = :key, nonce = :nonce, ciphertext = :ciphertext"
                + " WHERE tenant_id = :tenant AND name = :name")
        .setParameter("key", sealed.keyId())
        .setParameter("nonce", sealed.nonce())
        .setParameter("ciphertext", sealed.ciphertext())
        .setParameter("tenant", tenantId)
        .setParameter("name", name)
        .executeUpdate();
  }

  /** Every secret sealed under another key than {@code keyId}, by tenant and name. */
  public List<SecretName> sealedUnderOtherKeys(String keyId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT tenant_id, name FROM tenant_secrets WHERE key_id <> :active"
                    + " ORDER BY tenant_id, name")
            .setParameter("active", keyId)
            .getResultList();
    return rows.stream().map(row -> new SecretName((String) row[0], (String) row[1])).toList();
  }

  /** The id of the master key the secret is sealed under; empty when there is no such secret. */
  public Optional<String> keyIdOf(String tenantId, String name) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT key_id, name FROM tenant_secrets"
                    + " WHERE tenant_id = :tenant AND name = :name")
            .setParameter("tenant", tenantId)
            .setParameter("name", name)
            .getResultList();
    return rows.stream().findFirst().map(row -> (String) row[0]);
  }

  /** How many secrets each master key seals, by key id. */
  public Map<String, Long> countByKey() {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT key_id, count(*) FROM tenant_secrets GROUP BY key_id ORDER BY key_id")
            .getResultList();
    Map<String, Long> byKey = new LinkedHashMap<>();
    rows.forEach(row -> byKey.put((String) row[0], ((Number) row[1]).longValue()));
    return byKey;
  }

  private static SealedSecret sealed(Object[] row) {
    return new SealedSecret((String) row[0], (byte[]) row[1], (byte[]) row[2]);
  }
}
