package io.backfill.gateway.domain;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code state} of an admin-consent round trip: which Backfill tenant asked, a random nonce
 * (consumed once, see {@link GraphConsents}) and when it expires, signed with HMAC-SHA256 under a
 * key derived from a master key. The master key's id travels in the state, so states issued just
 * before a master-key rotation still verify while the old key is configured. Format: {@code
 * base64url(payload) "." base64url(mac)}, payload {@code "v1 keyId tenantId nonce
 * expiresEpochSec"}.
 */
public final class ConsentState {

  /** Purpose label of the derived signing key; changing it invalidates every state. */
  static final String PURPOSE = "backfill graph consent state v1";

  /** No state Backfill issues is longer; anything longer is refused before decoding. */
  static final int MAX_CHARS = 512;

  private static final String VERSION = "v1";

  /** A state whose signature holds. */
  public record Verified(String tenantId, String nonce, Instant expiresAt) {}

  /** Why a state was refused. */
  public enum Refusal {
    INVALID,
    EXPIRED
  }

  /** A state that is not (or no longer) acceptable; the message says why without the state. */
  public static class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Refusal refusal;

    RefusedException(Refusal refusal, String message) {
      super(message);
      this.refusal = refusal;
    }

    public Refusal refusal() {
      return refusal;
    }
  }

  private ConsentState() {}

  /** A signed state under the keyring's active key. */
  public static String sign(MasterKeyring keyring, String tenantId, String nonce, Instant expires) {
    String keyId = keyring.activeKeyId();
    String payload =
        String.join(" ", VERSION, keyId, tenantId, nonce, Long.toString(expires.getEpochSecond()));
    byte[] payloadBytes = payload.getBytes(StandardCharsets.UTF_8);
    return encode(payloadBytes) + "." + encode(mac(keyring, keyId, payloadBytes));
  }

  /**
   * The tenant and nonce of a state this gateway signed and that has not expired.
   *
   * @throws RefusedException INVALID when it is malformed, tampered with or signed under a key not
   *     configured; EXPIRED when its signature holds but its time is over
   */
  public static Verified verify(MasterKeyring keyring, String state, Instant now) {
    if (state == null || state.isEmpty() || state.length() > MAX_CHARS) {
      throw invalid("missing or too long");
    }
    int dot = state.indexOf('.');
    if (dot < 0 || dot != state.lastIndexOf('.')) {
      throw invalid("not payload.signature");
    }
    byte[] payloadBytes;
    byte[] signature;
    try {
      payloadBytes = Base64.getUrlDecoder().decode(state.substring(0, dot));
      signature = Base64.getUrlDecoder().decode(state.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw invalid("not base64url");
    }
    String[] fields = new String(payloadBytes, StandardCharsets.UTF_8).split(" ", -1);
    if (fields.length != 5 || !VERSION.equals(fields[0])) {
      throw invalid("unknown payload");
    }
    if (!keyring.has(fields[1])) {
      throw invalid("signed under master key " + fields[1] + ", which is not configured");
    }
    if (!MessageDigest.isEqual(mac(keyring, fields[1], payloadBytes), signature)) {
      throw invalid("bad signature");
    }
    Instant expires;
    try {
      expires = Instant.ofEpochSecond(Long.parseLong(fields[4]));
    } catch (NumberFormatException | java.time.DateTimeException e) {
      throw invalid("bad expiry");
    }
    if (!now.isBefore(expires)) {
      throw new RefusedException(Refusal.EXPIRED, "expired at " + expires);
    }
    return new Verified(fields[2], fields[3], expires);
  }

  private static byte[] mac(MasterKeyring keyring, String keyId, byte[] payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keyring.derive(keyId, PURPOSE), "HmacSHA256"));
      return mac.doFinal(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }

  private static String encode(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static RefusedException invalid(String why) {
    return new RefusedException(Refusal.INVALID, why);
  }
}
