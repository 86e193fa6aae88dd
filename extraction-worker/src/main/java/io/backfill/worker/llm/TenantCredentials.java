package io.backfill.worker.llm;

import java.util.Optional;

/**
 * Where a tenant's LLM key comes from (later: the gateway's internal credentials endpoint, cached).
 * An empty answer means the tenant has no key: the LLM phase is skipped visibly, never run with a
 * made-up key.
 */
public interface TenantCredentials {

  /** The tenant's OpenAI-compatible API key, or empty when it has none. */
  Optional<String> llmKey(String tenantId);
}
