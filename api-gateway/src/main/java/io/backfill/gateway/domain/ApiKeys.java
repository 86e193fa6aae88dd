package io.backfill.gateway.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Tenants' API keys: 256 random bits shown once at creation, kept only as their SHA-256. A fast
 * hash is enough for random keys (there is no dictionary to try) and lets each request find its
 * tenant with one indexed lookup; see docs/decisions/0008-gateway-auth-and-secrets.md.
 */
@ApplicationScoped
public class ApiKeys {

  /** Marks a Backfill key, so secret scanners and people can recognise one. */
  private static final String KEY_PREFIX = "bfk_";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final EntityManager em;

  ApiKeys(EntityManager em) {
    this.em = em;
  }

  /** A new key for a tenant; the returned plaintext is not stored anywhere. */
  @Transactional
  public String create(String tenantId) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    em.createNativeQuery(
            "INSERT INTO api_keys (key_id, tenant_id, key_hash, key_prefix)"
                + " VALUES (:id, :tenant, :hash, :prefix)")
        .setParameter("id", UUID.randomUUID())
        .setParameter("tenant", tenantId)
        .setParameter("hash", hash(key))
        .setParameter("prefix", key.substring(0, 10))
        .executeUpdate();
    return key;
  }

  /** The tenant a key belongs to, if it is a live key. */
  @Transactional
  public Optional<String> tenantOf(String key) {
    @SuppressWarnings("unchecked")
    List<String> tenants =
        em.createNativeQuery(
                "SELECT tenant_id FROM api_keys WHERE key_hash = :hash AND revoked_at IS NULL")
            .setParameter("hash", hash(key))
            .getResultList();
    return tenants.stream().findFirst();
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
