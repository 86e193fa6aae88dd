package io.backfill.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;
import java.util.Set;

/**
 * Where a tenant's {@code openai_base_url} may point, checked when it is stored: the worker sends
 * the tenant's mail there, so it must be a public HTTPS endpoint (the worker checks again, with the
 * addresses the name resolves to, before every call).
 */
@ConfigMapping(prefix = "backfill.gateway.llm-egress")
public interface LlmEgressConfig {

  /**
   * Accept plain {@code http} to a loopback host (and loopback addresses at all): only for a local
   * LLM simulator, so true in the dev and test profiles only.
   */
  @WithDefault("false")
  boolean allowLoopbackHttp();

  /**
   * Host names (or IP literals) accepted whatever their addresses, e.g. an in-cluster LLM proxy the
   * operator runs; https is still required.
   */
  Optional<Set<String>> allowedHosts();
}
