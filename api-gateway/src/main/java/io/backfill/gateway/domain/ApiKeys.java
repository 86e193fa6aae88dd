package io.backfill.gateway.domain;

import io.backfill.gateway.persistence.ApiKeyStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
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

  private final ApiKeyStore store;

  ApiKeys(ApiKeyStore store) {
    this.store = store;
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
    store.insert(keyId, tenantId, hash(key), key.substring(0, 10), label, created);
    return new Issued(keyId, tenantId, label, created, key);
  }

  /**
   * Finds the key presented on a request and, when it is live and its last use was recorded more
   * than {@link #LAST_USED_PRECISION} ago, records this use.
   */
  @Transactional
  public Lookup lookup(String key) {
    Optional<ApiKeyStore.KeyOwner> found = store.findByHash(hash(key));
    if (found.isEmpty()) {
      return new Unknown();
    }
    ApiKeyStore.KeyOwner row = found.get();
    UUID keyId = row.keyId();
    String tenantId = row.tenantId();
    if (row.revokedAt() != null) {
      return new Revoked(keyId, tenantId);
    }
    if (row.suspendedAt() != null) {
      // Not counted as a use: the key did not get the tenant anything.
      return new Suspended(keyId, tenantId);
    }
    Instant lastUsed = row.lastUsedAt();
    if (lastUsed == null || lastUsed.isBefore(Instant.now().minus(LAST_USED_PRECISION))) {
      // Conditional, so concurrent first requests write once; revoked_at is checked again.
      store.recordUse(keyId, LAST_USED_PRECISION);
    }
    return new Live(new Owner(tenantId, keyId));
  }

  /** Every key of the tenant, revoked ones included, oldest first. */
  @Transactional
  public List<KeyInfo> list(String tenantId) {
    return store.listOf(tenantId).stream()
        .map(
            key ->
                new KeyInfo(
                    key.keyId(),
                    key.label(),
                    key.prefix(),
                    key.createdAt(),
                    key.lastUsedAt(),
                    key.revokedAt()))
        .toList();
  }

  /** Revokes one of the tenant's keys; a key of another tenant is not found. */
  @Transactional
  public Revocation revoke(String tenantId, UUID keyId) {
    return switch (store.lockForRevocation(tenantId, keyId)) {
      case NOT_FOUND -> Revocation.NOT_FOUND;
      case REVOKED -> Revocation.ALREADY_REVOKED;
      case LIVE -> {
        store.markRevoked(keyId);
        yield Revocation.REVOKED;
      }
    };
  }

  /** Whether the key exists and is not revoked; open event streams ask every few seconds. */
  @Transactional
  public boolean isLive(UUID keyId) {
    return store.isLive(keyId);
  }

  static String hash(String key) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha256.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
