package io.backfill.worker.llm;

import io.backfill.worker.config.LlmConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Chooses the models a tenant's chunks go to: the tenant's own route when it has one, else the
 * default models; reasoning-only models never, and at most two (the primary, then the fallback).
 */
@ApplicationScoped
public class ModelRouter {

  private final LlmConfig config;

  ModelRouter(LlmConfig config) {
    this.config = config;
  }

  /** The models a tenant's chunks go to: first the primary, then the fallback, if any. */
  public List<String> route(String tenantId) {
    String tenantRoute = config.tenantModels().get(tenantId);
    List<String> models =
        tenantRoute == null
            ? config.models()
            : List.of(tenantRoute.split(",")).stream().map(String::trim).toList();
    return models.stream()
        .filter(m -> !m.isBlank() && !config.reasoningModels().contains(m))
        .limit(2)
        .toList();
  }
}
