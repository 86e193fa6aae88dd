package io.backfill.worker.llm;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * The credentials source while none is configured (the gateway's endpoint is not wired yet): no
 * tenant has a key, so every chunk reports {@code llm: skipped_no_key}.
 */
@ApplicationScoped
@DefaultBean
public class NoCredentialsSource implements TenantCredentials {

  @Override
  public Optional<String> llmKey(String tenantId) {
    return Optional.empty();
  }
}
