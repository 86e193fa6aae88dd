package io.backfill.gateway.domain;

import io.backfill.gateway.persistence.ConsentStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * Consent states handed out and consumed: each state's nonce has a row, and a callback consumes it
 * with one conditional UPDATE, so of two callbacks with the same state exactly one proceeds.
 */
@ApplicationScoped
public class GraphConsents {

  /** Expired rows are kept this long after expiry, then deleted when new states are issued. */
  static final Duration KEEP_EXPIRED = Duration.ofDays(1);

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A state just issued. */
  public record Issued(String state, Instant expiresAt) {}

  /** What consuming a verified state found. */
  public enum Consumption {
    CONSUMED,
    ALREADY_USED,
    UNKNOWN
  }

  private final ConsentStore store;
  private final SecretCipher cipher;

  GraphConsents(ConsentStore store, SecretCipher cipher) {
    this.store = store;
    this.cipher = cipher;
  }

  /**
   * A new signed state for the tenant, valid for {@code ttl}.
   *
   * @throws SecretCipher.NotConfiguredException when there is no master key to sign with
   */
  @Transactional
  public Issued issue(String tenantId, Duration ttl) {
    MasterKeyring keyring = cipher.keyring();
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Instant expires = Instant.now().plus(ttl).truncatedTo(ChronoUnit.SECONDS);
    store.deleteExpiredBefore(KEEP_EXPIRED);
    store.insert(nonce, tenantId, expires);
    return new Issued(ConsentState.sign(keyring, tenantId, nonce, expires), expires);
  }

  /**
   * Verifies a state's signature and expiry.
   *
   * @throws ConsentState.RefusedException when it is invalid or expired
   * @throws SecretCipher.NotConfiguredException when there is no master key to verify with
   */
  public ConsentState.Verified verify(String state) {
    return ConsentState.verify(cipher.keyring(), state, Instant.now());
  }

  /** Marks the state used; only the first caller gets {@link Consumption#CONSUMED}. */
  @Transactional
  public Consumption consume(ConsentState.Verified state) {
    if (store.markConsumed(state.nonce(), state.tenantId())) {
      return Consumption.CONSUMED;
    }
    boolean known = store.exists(state.nonce(), state.tenantId());
    return known ? Consumption.ALREADY_USED : Consumption.UNKNOWN;
  }

  /**
   * Makes a state this caller consumed usable again, for a callback that could not be completed for
   * a reason the admin did not cause (Microsoft unreachable): the same redirect may be retried.
   */
  @Transactional
  public void release(ConsentState.Verified state) {
    store.clearConsumed(state.nonce(), state.tenantId());
  }
}
