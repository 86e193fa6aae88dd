package io.backfill.gateway.api;

import io.backfill.contracts.security.LlmEndpointPolicy;
import io.backfill.gateway.config.LlmEgressConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;

/**
 * The write-time check of a tenant's {@code openai_base_url}: syntactic only (scheme, user info,
 * the host as written), since a name's addresses are checked by the worker each time it is used.
 */
@ApplicationScoped
public class LlmBaseUrlCheck {

  private final LlmEndpointPolicy policy;

  LlmBaseUrlCheck(LlmEgressConfig config) {
    this.policy =
        new LlmEndpointPolicy(
            new LlmEndpointPolicy.Settings(
                config.allowLoopbackHttp(), config.allowedHosts().orElse(Set.of())));
  }

  /** Throws a 422 {@code llm-endpoint-refused} problem naming the rule the URL breaks. */
  public void check(String baseUrl) {
    LlmEndpointPolicy.Verdict verdict = policy.check(baseUrl);
    if (verdict.allowed()) {
      return;
    }
    Problem problem =
        Problem.of(
            "llm-endpoint-refused",
            "LLM endpoint refused",
            422,
            "openai_base_url is refused by rule '" + verdict.rule() + "': " + verdict.reason());
    throw new ProblemException(
        new Problem(
            problem.type(),
            problem.title(),
            problem.status(),
            problem.detail(),
            List.of(new Problem.FieldError("value", verdict.rule()))));
  }
}
