package io.backfill.gateway.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
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

  private final EntityManager em;
  private final SecretCipher cipher;

  GraphConsents(EntityManager em, SecretCipher cipher) {
    this.em = em;
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
    em.createNativeQuery(
            "DELETE FROM graph_consent_states WHERE expires_at < now() - :keep * interval '1 second'")
        .setParameter("keep", KEEP_EXPIRED.toSeconds())
        .executeUpdate();
    em.createNativeQuery(
            "INSERT INTO graph_consent_states (nonce, tenant_id, expires_at)"
                + " VALUES (:nonce, :tenant, :expires)")
        .setParameter("nonce", nonce)
        .setParameter("tenant", tenantId)
        .setParameter("expires", expires)
        .executeUpdate();
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
    int updated =
        em.createNativeQuery(
                "UPDATE graph_consent_states SET consumed_at = now()"
                    + " WHERE nonce = :nonce AND tenant_id = :tenant AND consumed_at IS NULL")
            .setParameter("nonce", state.nonce())
            .setParameter("tenant", state.tenantId())
            .executeUpdate();
    if (updated == 1) {
      return Consumption.CONSUMED;
    }
    boolean known =
        !em.createNativeQuery(
                "SELECT 1 FROM graph_consent_states WHERE nonce = :nonce AND tenant_id = :tenant")
            .setParameter("nonce", state.nonce())
            .setParameter("tenant", state.tenantId())
            .getResultList()
            .isEmpty();
    return known ? Consumption.ALREADY_USED : Consumption.UNKNOWN;
  }

  /**
   * Makes a state this caller consumed usable again, for a callback that could not be completed for
   * a reason the admin did not cause (Microsoft unreachable): the same redirect may be retried.
   */
  @Transactional
  public void release(ConsentState.Verified state) {
    em.createNativeQuery(
            "UPDATE graph_consent_states SET consumed_at = NULL"
                + " WHERE nonce = :nonce AND tenant_id = :tenant")
        .setParameter("nonce", state.nonce())
        .setParameter("tenant", state.tenantId())
        .executeUpdate();
  }
}
