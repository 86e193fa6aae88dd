package io.backfill.gateway.domain;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master keys secrets are sealed with, by id: the first (newest) seals, every one opens what it
 * sealed. AES-256-GCM with a fresh 96-bit nonce per value (GCM's recommended size; never reused
 * under one key), a 128-bit tag, and the value bound to its (tenant, name) as associated data, so a
 * ciphertext moved to another row fails to decrypt instead of leaking. See
 * docs/decisions/0019-gateway-master-key-rotation.md.
 */
public final class MasterKeyring {

  /** The id of the single key configured as {@code backfill.gateway.secrets.master-key}. */
  public static final String DEFAULT_ID = "default";

  /** Key ids are stored with every ciphertext and appear in logs: keep them plain. */
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A sealed value: the key that sealed it, the nonce and the ciphertext with its tag. */
  public record Sealed(String keyId, byte[] nonce, byte[] ciphertext) {}

  /** The configuration does not give a usable keyring; the message names what is wrong. */
  public static class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidConfigException(String message) {
      super(message);
    }
  }

  /** A value sealed under a key this keyring does not have. */
  public static class UnknownKeyException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    UnknownKeyException(String message) {
      super(message);
    }
  }

  private final Map<String, SecretKey> keys;
  private final String activeId;

  private MasterKeyring(Map<String, SecretKey> keys) {
    this.keys = keys;
    this.activeId = keys.keySet().iterator().next();
  }

  /**
   * The keyring of the configuration: {@code keys} as {@code id:base64} entries, newest first, then
   * the single {@code legacy} key as id {@value #DEFAULT_ID} (what secrets were sealed with before
   * key ids existed). Values are never part of an exception message.
   *
   * @throws InvalidConfigException when there is no key, or an entry is not {@code id:base64 of 32
   *     bytes}, or an id repeats
   */
  public static MasterKeyring of(List<String> keys, Optional<String> legacy) {
    Map<String, SecretKey> parsed = new LinkedHashMap<>();
    List<String> entries = new ArrayList<>();
    keys.stream().map(String::trim).filter(e -> !e.isEmpty()).forEach(entries::add);
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      int colon = entry.indexOf(':');
      if (colon < 0) {
        throw new InvalidConfigException(
            "master-keys entry " + (i + 1) + " is not id:base64-of-32-bytes");
      }
      String id = entry.substring(0, colon).trim();
      if (!KEY_ID.matcher(id).matches()) {
        throw new InvalidConfigException(
            "master-keys entry " + (i + 1) + " has an invalid id (letters, digits, . _ -)");
      }
      put(parsed, id, entry.substring(colon + 1), "master key " + id);
    }
    Optional<String> single = legacy.map(String::trim).filter(k -> !k.isEmpty());
    if (single.isPresent()) {
      put(parsed, DEFAULT_ID, single.get(), "master-key (id " + DEFAULT_ID + ")");
    }
    if (parsed.isEmpty()) {
      throw new InvalidConfigException(
          "neither backfill.gateway.secrets.master-keys (BACKFILL_MASTER_KEYS) nor"
              + " backfill.gateway.secrets.master-key (BACKFILL_MASTER_KEY) is set");
    }
    return new MasterKeyring(parsed);
  }

  private static void put(Map<String, SecretKey> keys, String id, String base64, String what) {
    if (keys.containsKey(id)) {
      throw new InvalidConfigException(what + ": the id " + id + " is configured twice");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(what + " is not valid base64");
    }
    if (raw.length != 32) {
      throw new InvalidConfigException(
          what + " must be base64 of 32 bytes, was " + raw.length + " bytes");
    }
    keys.put(id, new SecretKeySpec(raw, "AES"));
  }

  /** The key that seals new values. */
  public String activeKeyId() {
    return activeId;
  }

  /** Every configured key id, newest (active) first. */
  public List<String> keyIds() {
    return List.copyOf(keys.keySet());
  }

  public boolean has(String keyId) {
    return keys.containsKey(keyId);
  }

  /**
   * A key for another purpose derived from master key {@code keyId}: HMAC-SHA256 of the purpose
   * under it. One-way, so the derived key does not reveal the master key, and each purpose gets its
   * own key.
   *
   * @throws UnknownKeyException when that key is not configured (any more)
   */
  public byte[] derive(String keyId, String purpose) {
    SecretKey master = keys.get(keyId);
    if (master == null) {
      throw new UnknownKeyException("master key " + keyId + " is not configured");
    }
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(master.getEncoded(), "HmacSHA256"));
      return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }

  /** Seals under the active key. */
  public Sealed seal(String tenantId, String name, String plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, activeId, nonce, tenantId, name);
      return new Sealed(
          activeId, nonce, cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Opens a value with the key that sealed it.
   *
   * @throws UnknownKeyException when that key is not configured (any more)
   * @throws IllegalStateException when it does not decrypt (wrong key, tampered or moved row)
   */
  public String open(String tenantId, String name, Sealed sealed) {
    if (!keys.containsKey(sealed.keyId())) {
      throw new UnknownKeyException(
          "secret "
              + name
              + " of tenant "
              + tenantId
              + " is sealed under master key "
              + sealed.keyId()
              + ", which is not configured");
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, sealed.keyId(), sealed.nonce(), tenantId, name);
      return new String(cipher.doFinal(sealed.ciphertext()), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      // Wrong master key or a tampered row: say which secret, never what it holds.
      throw new IllegalStateException(
          "secret "
              + name
              + " of tenant "
              + tenantId
              + " does not decrypt under master key "
              + sealed.keyId(),
          e);
    }
  }

  private Cipher cipher(int mode, String keyId, byte[] nonce, String tenantId, String name)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, keys.get(keyId), new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD((tenantId + "/" + name).getBytes(StandardCharsets.UTF_8));
    return cipher;
  }
}
