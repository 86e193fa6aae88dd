package io.backfill.worker.llm;

import io.backfill.contracts.security.LlmEndpointPolicy;
import io.backfill.contracts.security.LlmEndpointPolicy.Verdict;
import io.backfill.worker.config.LlmConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Decides, right before a call, whether a base URL may be called: the policy's resolving check, so
 * a name re-pointed at this machine, a private network or a metadata service since it was stored is
 * refused as well (every address it resolves to now is checked).
 */
@ApplicationScoped
public class LlmEndpointGuard {

  /** The reason code of a chunk, or a message, whose LLM endpoint was refused. */
  public static final String REFUSED = "llm-endpoint-refused";

  private final LlmEndpointPolicy policy;

  LlmEndpointGuard(LlmConfig config) {
    this.policy =
        new LlmEndpointPolicy(
            new LlmEndpointPolicy.Settings(
                config.egress().allowLoopbackHttp(),
                config.egress().allowedHosts().orElse(Set.of())));
  }

  /** Allowed, or refused with the rule and a reason that names the host (never user info). */
  public Verdict check(String baseUrl) {
    return policy.checkResolved(baseUrl);
  }
}
