package io.backfill.worker.llm;

import java.util.Optional;

/**
 * Where a tenant's LLM key comes from. An empty answer means the tenant has no key: the LLM phase
 * is skipped visibly, never run with a made-up key. A source that cannot answer throws {@link
 * CredentialsUnavailableException}: not knowing is not "no key".
 */
public interface TenantCredentials {

  /** A tenant's key for an OpenAI-compatible API, and its base URL when it is not the default. */
  record LlmCredentials(String apiKey, String baseUrl) {

    @Override
    public String toString() {
      return "LlmCredentials[apiKey=***, baseUrl=" + baseUrl + "]";
    }
  }

  /** The tenant's credentials, or empty when it has none. */
  Optional<LlmCredentials> llmCredentials(String tenantId);

  /** The LLM refused the tenant's key (401): the next chunk asks for it again. */
  void rejected(String tenantId);
}
