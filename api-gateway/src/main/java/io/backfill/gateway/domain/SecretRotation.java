package io.backfill.gateway.domain;

import io.backfill.gateway.persistence.SecretStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private final SecretStore store;
  private final SecretCipher cipher;
  private final MeterRegistry metrics;

  SecretRotation(SecretStore store, SecretCipher cipher, MeterRegistry metrics) {
    this.store = store;
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
    List<SecretStore.SecretName> stale =
        QuarkusTransaction.requiringNew().call(() -> store.sealedUnderOtherKeys(active));
    int reencrypted = 0;
    List<Failure> failures = new ArrayList<>();
    for (SecretStore.SecretName secret : stale) {
      String tenantId = secret.tenantId();
      String name = secret.name();
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
    Optional<SecretStore.SealedSecret> locked = store.lock(tenantId, name);
    if (locked.isEmpty() || keyring.activeKeyId().equals(locked.get().keyId())) {
      return false;
    }
    SecretStore.SealedSecret row = locked.get();
    String plaintext =
        keyring.open(
            tenantId, name, new MasterKeyring.Sealed(row.keyId(), row.nonce(), row.ciphertext()));
    MasterKeyring.Sealed sealed = keyring.seal(tenantId, name, plaintext);
    store.reseal(
        tenantId,
        name,
        new SecretStore.SealedSecret(sealed.keyId(), sealed.nonce(), sealed.ciphertext()));
    return true;
  }

  private String keyOf(String tenantId, String name) {
    return QuarkusTransaction.requiringNew().call(() -> store.keyIdOf(tenantId, name)).orElse(null);
  }

  private Map<String, Long> secretsByKey() {
    return QuarkusTransaction.requiringNew().call(store::countByKey);
  }

  private void count(String outcome) {
    metrics.counter("backfill_gateway_secret_reencryptions_total", "outcome", outcome).increment();
  }
}
