package io.backfill.gateway.domain;

import io.backfill.gateway.persistence.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Tenants' API keys: 256 random bits shown once at creation, kept only as their SHA-256. A fast
 * hash is enough for random keys (there is no dictionary to try) and lets each request find its
 * tenant with one indexed lookup; see docs/decisions/0008-gateway-auth-and-secrets.md. Keys are
 * looked up on every request (no cache), so a revoked key is refused from the next request on
 * (docs/decisions/0018-gateway-api-key-management.md).
 */
@ApplicationScoped
public class ApiKeys {

  /** Marks a Backfill key, so secret scanners and people can recognise one. */
  private static final String KEY_PREFIX = "bfk_";

  /**
   * last_used_at is written at most this often per key: "last used" to the minute costs one write
   * per key per minute instead of one per request.
   */
  static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A key just created: {@code key} is the plaintext, returned once and stored nowhere. */
  public record Issued(UUID keyId, String tenantId, String label, Instant createdAt, String key) {

    /** Never print the key, whatever logs the record. */
    @Override
    public String toString() {
      return "Issued[keyId=" + keyId + ", tenantId=" + tenantId + ", key=***]";
    }
  }

  /** What may be shown about a key: never the key nor its hash. */
  public record KeyInfo(
      UUID keyId,
      String label,
      String prefix,
      Instant createdAt,
      Instant lastUsedAt,
      Instant revokedAt) {}

  /** A live key's owner. */
  public record Owner(String tenantId, UUID keyId) {}

  /** What looking a presented key up found. */
  public sealed interface Lookup {}

  /** A live key. */
  public record Live(Owner owner) implements Lookup {}

  /** A key that was revoked. */
  public record Revoked(UUID keyId, String tenantId) implements Lookup {}

  /** A live key of a suspended tenant. */
  public record Suspended(UUID keyId, String tenantId) implements Lookup {}

  /** No such key. */
  public record Unknown() implements Lookup {}

  /** What a revocation did. */
  public enum Revocation {
    REVOKED,
    ALREADY_REVOKED,
    NOT_FOUND
  }

  private final EntityManager em;

  ApiKeys(EntityManager em) {
    this.em = em;
  }

  /** A new key for a tenant; the returned plaintext is not stored anywhere. */
  @Transactional
  public Issued create(String tenantId, String label) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    UUID keyId = UUID.randomUUID();
    // PostgreSQL keeps microseconds: truncate, so what is returned is what a list shows.
    Instant created = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    Query insert =
        em.createNativeQuery(
                "INSERT INTO api_keys (key_id, tenant_id, key_hash, key_prefix, label, created_at)"
                    + " VALUES (:id, :tenant, :hash, :prefix, :label, :created)")
            .setParameter("id", keyId)
            .setParameter("tenant", tenantId)
            .setParameter("hash", hash(key))
            .setParameter("prefix", key.substring(0, 10))
            .setParameter("created", created);
    Sql.bind(insert, "label", label, String.class).executeUpdate();
    return new Issued(keyId, tenantId, label, created, key);
  }

  /**
   * Finds the key presented on a request and, when it is live and its last use was recorded more
   * than {@link #LAST_USED_PRECISION} ago, records this use.
   */
  @Transactional
  public Lookup lookup(String key) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT k.key_id, k.tenant_id, k.revoked_at, k.last_used_at, t.suspended_at"
                    + " FROM api_keys k JOIN tenants t ON t.tenant_id = k.tenant_id"
                    + " WHERE k.key_hash = :hash")
            .setParameter("hash", hash(key))
            .getResultList();
    if (rows.isEmpty()) {
      return new Unknown();
    }
    Object[] row = rows.get(0);
    UUID keyId = (UUID) row[0];
    String tenantId = (String) row[1];
    if (row[2] != null) {
      return new Revoked(keyId, tenantId);
    }
    if (row[4] != null) {
      // Not counted as a use: the key did not get the tenant anything.
      return new Suspended(keyId, tenantId);
    }
    Instant lastUsed = row[3] == null ? null : instant(row[3]);
    if (lastUsed == null || lastUsed.isBefore(Instant.now().minus(LAST_USED_PRECISION))) {
      // Conditional, so concurrent first requests write once; revoked_at is checked again.
      em.createNativeQuery(
              "UPDATE api_keys SET last_used_at = now() WHERE key_id = :id AND revoked_at IS NULL"
                  + " AND (last_used_at IS NULL OR last_used_at < now() - :precision *"
                  + " interval '1 second')")
          .setParameter("id", keyId)
          .setParameter("precision", LAST_USED_PRECISION.toSeconds())
          .executeUpdate();
    }
    return new Live(new Owner(tenantId, keyId));
  }

  /** Every key of the tenant, revoked ones included, oldest first. */
  @Transactional
  public List<KeyInfo> list(String tenantId) {
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
                new KeyInfo(
                    (UUID) row[0],
                    (String) row[1],
                    (String) row[2],
                    instant(row[3]),
                    row[4] == null ? null : instant(row[4]),
                    row[5] == null ? null : instant(row[5])))
        .toList();
  }

  /** Revokes one of the tenant's keys; a key of another tenant is not found. */
  @Transactional
  public Revocation revoke(String tenantId, UUID keyId) {
    @SuppressWarnings("unchecked")
    List<Object> revokedAt =
        em.createNativeQuery(
                "SELECT revoked_at FROM api_keys WHERE key_id = :id AND tenant_id = :tenant"
                    + " FOR UPDATE")
            .setParameter("id", keyId)
            .setParameter("tenant", tenantId)
            .getResultList();
    if (revokedAt.isEmpty()) {
      return Revocation.NOT_FOUND;
    }
    if (revokedAt.get(0) != null) {
      return Revocation.ALREADY_REVOKED;
    }
    em.createNativeQuery("UPDATE api_keys SET revoked_at = now() WHERE key_id = :id")
        .setParameter("id", keyId)
        .executeUpdate();
    return Revocation.REVOKED;
  }

  /** Whether the key exists and is not revoked; open event streams ask every few seconds. */
  @Transactional
  public boolean isLive(UUID keyId) {
    return !em.createNativeQuery("SELECT 1 FROM api_keys WHERE key_id = :id AND revoked_at IS NULL")
        .setParameter("id", keyId)
        .getResultList()
        .isEmpty();
  }

  static String hash(String key) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha256.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** timestamptz comes back from native queries as Instant or OffsetDateTime by driver version. */
  private static Instant instant(Object value) {
    if (value instanceof Instant instant) {
      return instant;
    }
    if (value instanceof OffsetDateTime offset) {
      return offset.toInstant();
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant();
    }
    throw new IllegalStateException("not a timestamp: " + value.getClass());
  }
}
