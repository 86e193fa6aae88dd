package io.backfill.worker.llm;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The LLM phase until the chat-completions client exists: a tenant without a key is {@code
 * skipped_no_key} and no call is made; a tenant with a key is reported {@code failed} with the
 * reason, so a missing client is visible instead of passing for an empty success.
 */
@ApplicationScoped
@DefaultBean
public class CredentialGatedLlmExtractor implements LlmExtractor {

  private final TenantCredentials credentials;

  CredentialGatedLlmExtractor(TenantCredentials credentials) {
    this.credentials = credentials;
  }

  @Override
  public LlmOutcome extract(Chunk chunk) {
    if (credentials.llmKey(chunk.tenantId()).isEmpty()) {
      return LlmOutcome.skippedNoKey();
    }
    return new LlmOutcome(
        LlmStatus.FAILED, 0, 0, 0, 0, "this worker build has no LLM client (issue 5, later)");
  }
}
