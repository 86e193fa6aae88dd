package io.backfill.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Where tenants' LLM keys come from: the gateway's internal endpoint, called with the service token
 * (docs/decisions/0015-tenant-credentials-from-the-gateway.md).
 */
@ConfigMapping(prefix = "backfill.worker.credentials")
public interface CredentialsConfig {

  /** The gateway's base URL; without it no tenant has a key (every chunk is skipped_no_key). */
  Optional<String> gatewayUrl();

  /** The service token the gateway expects on its internal endpoints. */
  Optional<String> serviceToken();

  /** How long a key is used before it is asked for again. */
  @WithDefault("5m")
  Duration cacheTtl();

  /** How long "this tenant has no key" is believed. */
  @WithDefault("30s")
  Duration negativeTtl();

  /** One call to the gateway. */
  @WithDefault("5s")
  Duration timeout();
}
