package io.backfill.gateway.domain;

import io.backfill.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM under the master key from config. Each value gets a fresh 96-bit nonce (GCM's
 * recommended size; never reused under one key) and is bound to its (tenant, name) as associated
 * data, so a ciphertext moved to another row fails to decrypt instead of leaking.
 */
@ApplicationScoped
public class SecretCipher {

  /** Thrown when no usable master key is configured. */
  public static class NotConfiguredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotConfiguredException(String message) {
      super(message);
    }
  }

  /** A sealed value: the nonce and the ciphertext with its 128-bit tag. */
  public record Sealed(byte[] nonce, byte[] ciphertext) {}

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Optional<SecretKey> key;
  private final String keyProblem;

  SecretCipher(GatewayConfig config) {
    Optional<String> configured = config.secrets().masterKey().filter(k -> !k.isBlank());
    SecretKey parsed = null;
    String problem = null;
    if (configured.isEmpty()) {
      problem = "backfill.gateway.secrets.master-key (BACKFILL_MASTER_KEY) is not set";
    } else {
      try {
        byte[] raw = Base64.getDecoder().decode(configured.get().trim());
        if (raw.length != 32) {
          problem = "the master key must be base64 of 32 bytes, was " + raw.length + " bytes";
        } else {
          parsed = new SecretKeySpec(raw, "AES");
        }
      } catch (IllegalArgumentException e) {
        problem = "the master key is not valid base64";
      }
    }
    this.key = Optional.ofNullable(parsed);
    this.keyProblem = problem;
  }

  public Sealed seal(String tenantId, String name, String plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, tenantId, name);
      return new Sealed(nonce, cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  public String open(String tenantId, String name, Sealed sealed) {
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, sealed.nonce(), tenantId, name);
      return new String(cipher.doFinal(sealed.ciphertext()), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      // Wrong master key or a tampered row: say which secret, never what it holds.
      throw new IllegalStateException(
          "secret " + name + " of tenant " + tenantId + " does not decrypt under the master key",
          e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String tenantId, String name)
      throws GeneralSecurityException {
    SecretKey secretKey = key.orElseThrow(() -> new NotConfiguredException(keyProblem));
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, secretKey, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD((tenantId + "/" + name).getBytes(StandardCharsets.UTF_8));
    return cipher;
  }
}
