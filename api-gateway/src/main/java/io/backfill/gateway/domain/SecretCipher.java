package io.backfill.gateway.domain;

import io.backfill.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The configured {@link MasterKeyring}. Without a usable master key the gateway still starts and
 * only the secret operations fail ({@link NotConfiguredException}, answered 503), so other
 * services' local stacks keep working without extra setup.
 */
@ApplicationScoped
public class SecretCipher {

  private static final Logger LOG = Logger.getLogger(SecretCipher.class);

  /** Thrown when no usable master key is configured. */
  public static class NotConfiguredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotConfiguredException(String message) {
      super(message);
    }
  }

  private final Optional<MasterKeyring> keyring;
  private final String keyProblem;

  SecretCipher(GatewayConfig config) {
    MasterKeyring parsed = null;
    String problem = null;
    try {
      parsed =
          MasterKeyring.of(
              config.secrets().masterKeys().orElse(List.of()), config.secrets().masterKey());
      LOG.infof(
          "secrets sealed under master key %s; keys that open: %s",
          parsed.activeKeyId(), parsed.keyIds());
    } catch (MasterKeyring.InvalidConfigException e) {
      problem = e.getMessage();
      LOG.warnf("secrets unavailable: %s", problem);
    }
    this.keyring = Optional.ofNullable(parsed);
    this.keyProblem = problem;
  }

  /** The keyring; {@link NotConfiguredException} when there is none. */
  public MasterKeyring keyring() {
    return keyring.orElseThrow(() -> new NotConfiguredException(keyProblem));
  }

  public MasterKeyring.Sealed seal(String tenantId, String name, String plaintext) {
    return keyring().seal(tenantId, name, plaintext);
  }

  public String open(String tenantId, String name, MasterKeyring.Sealed sealed) {
    return keyring().open(tenantId, name, sealed);
  }
}
