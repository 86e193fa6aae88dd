package io.backfill.gateway.domain;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;

/**
 * Re-encrypts every secret sealed under an older master key with the active one, so the old key can
 * be removed from the configuration. Each secret is re-sealed in its own short transaction that
 * locks its row and re-reads it, so a concurrent PUT is neither lost nor overwritten with the old
 * value; a secret that cannot be opened is reported and left as it is. Running it again is harmless
 * (docs/decisions/0019-gateway-master-key-rotation.md).
 */
@ApplicationScoped
public class SecretRotation {

  private static final Logger LOG = Logger.getLogger(SecretRotation.class);

  /** A secret that could not be re-encrypted: which one and why (never its value). */
  @Schema(name = "SecretRotationFailure")
  public record Failure(String tenantId, String name, String keyId, String reason) {}

  /** What a rotation did, and how many secrets each key seals afterwards. */
  @Schema(name = "SecretRotationReport")
  public record Report(
      String activeKeyId,
      List<String> configuredKeyIds,
      int reencrypted,
      List<Failure> failures,
      Map<String, Long> secretsByKey) {}

  /** How many secrets each key seals, and which keys are configured. */
  @Schema(name = "MasterKeyUsage")
  public record Usage(
      String activeKeyId, List<String> configuredKeyIds, Map<String, Long> secretsByKey) {}

  private final EntityManager em;
  private final SecretCipher cipher;
  private final MeterRegistry metrics;

  SecretRotation(EntityManager em, SecretCipher cipher, MeterRegistry metrics) {
    this.em = em;
    this.cipher = cipher;
    this.metrics = metrics;
  }

  public Usage usage() {
    MasterKeyring keyring = cipher.keyring();
    return new Usage(keyring.activeKeyId(), keyring.keyIds(), secretsByKey());
  }

  public Report rotate() {
    MasterKeyring keyring = cipher.keyring();
    String active = keyring.activeKeyId();
    List<Object[]> stale =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    rows(
                        "SELECT tenant_id, name FROM tenant_secrets WHERE key_id <> :active"
                            + " ORDER BY tenant_id, name",
                        Map.of("active", active)));
    int reencrypted = 0;
    List<Failure> failures = new ArrayList<>();
    for (Object[] row : stale) {
      String tenantId = (String) row[0];
      String name = (String) row[1];
      try {
        if (QuarkusTransaction.requiringNew().call(() -> reseal(keyring, tenantId, name))) {
          reencrypted++;
          count("reencrypted");
        }
      } catch (RuntimeException e) {
        String keyId = keyOf(tenantId, name);
        // Once per secret, with its ids; the message names the secret and key, never the value.
        LOG.errorf(
            "could not re-encrypt secret %s of tenant %s (sealed under %s): %s",
            name, tenantId, keyId, e.getMessage());
        count("failed");
        failures.add(new Failure(tenantId, name, keyId, e.getMessage()));
      }
    }
    Map<String, Long> after = secretsByKey();
    LOG.infof(
        "master-key rotation to %s: %d re-encrypted, %d failed; secrets by key now %s",
        active, reencrypted, failures.size(), after);
    return new Report(active, keyring.keyIds(), reencrypted, failures, after);
  }

  /** False when the row changed under us (deleted, or re-sealed by a PUT): nothing to do. */
  private boolean reseal(MasterKeyring keyring, String tenantId, String name) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT key_id, nonce, ciphertext FROM tenant_secrets"
                    + " WHERE tenant_id = :tenant AND name = :name FOR UPDATE")
            .setParameter("tenant", tenantId)
            .setParameter("name", name)
            .getResultList();
    if (rows.isEmpty() || keyring.activeKeyId().equals(rows.get(0)[0])) {
      return false;
    }
    Object[] row = rows.get(0);
    String plaintext =
        keyring.open(
            tenantId,
            name,
            new MasterKeyring.Sealed((String) row[0], (byte[]) row[1], (byte[]) row[2]));
    MasterKeyring.Sealed sealed = keyring.seal(tenantId, name, plaintext);
    em.createNativeQuery(
            "UPDATE tenant_secrets SET key_id = :key, nonce = :nonce, ciphertext = :ciphertext"
                + " WHERE tenant_id = :tenant AND name = :name")
        .setParameter("key", sealed.keyId())
        .setParameter("nonce", sealed.nonce())
        .setParameter("ciphertext", sealed.ciphertext())
        .setParameter("tenant", tenantId)
        .setParameter("name", name)
        .executeUpdate();
    return true;
  }

  private String keyOf(String tenantId, String name) {
    List<Object[]> rows =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    rows(
                        "SELECT key_id, name FROM tenant_secrets"
                            + " WHERE tenant_id = :tenant AND name = :name",
                        Map.of("tenant", tenantId, "name", name)));
    return rows.isEmpty() ? null : (String) rows.get(0)[0];
  }

  private Map<String, Long> secretsByKey() {
    Map<String, Long> byKey = new LinkedHashMap<>();
    QuarkusTransaction.requiringNew()
        .call(
            () ->
                rows(
                    "SELECT key_id, count(*) FROM tenant_secrets GROUP BY key_id ORDER BY key_id",
                    Map.of()))
        .forEach(row -> byKey.put((String) row[0], ((Number) row[1]).longValue()));
    return byKey;
  }

  @SuppressWarnings("unchecked")
  private List<Object[]> rows(String sql, Map<String, Object> parameters) {
    jakarta.persistence.Query query = em.createNativeQuery(sql);
    parameters.forEach(query::setParameter);
    return query.getResultList();
  }

  private void count(String outcome) {
    metrics.counter("backfill_gateway_secret_reencryptions_total", "outcome", outcome).increment();
  }
}
