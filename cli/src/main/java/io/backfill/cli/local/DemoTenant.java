package io.backfill.cli.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.cli.gateway.GatewayClient;
import io.backfill.contracts.serde.EventJson;
import io.backfill.stack.LocalStack;
import io.backfill.stack.StackConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The tenant a local stack's demo runs as: created through the gateway's admin endpoint with its
 * API key, bound to the stack's Graph directory, and given its BYOK LLM key (the one the simulator
 * accepts for it) unless told not to.
 *
 * @param apiKey the tenant's key, as the gateway issued it
 */
public record DemoTenant(String tenantId, String apiKey, boolean llmKey) {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Creates the stack's tenant, its key and (with {@code withLlmKey}) its LLM secrets. */
  public static DemoTenant create(LocalStack stack, boolean withLlmKey) {
    URI gateway = URI.create(stack.gateway().baseUrl() + "/");
    GatewayClient admin = new GatewayClient(gateway, stack.config().adminToken(), TIMEOUT);
    String tenantId = stack.config().tenantId();
    ObjectNode body = EventJson.mapper().createObjectNode().put("tenantId", tenantId);
    String apiKey =
        admin.post("api/v1/admin/tenants", body, Map.of()).body().path("apiKey").asText();
    // The stack's directory consented to the operator's app; the platform admin binds it to the
    // tenant, as the consent callback would (see docs/security.md).
    admin.put(
        "api/v1/admin/tenants/" + tenantId + "/graph-directory",
        EventJson.mapper().createObjectNode().put("directoryId", StackConfig.GRAPH_DIRECTORY));
    if (withLlmKey) {
      GatewayClient tenant = new GatewayClient(gateway, apiKey, TIMEOUT);
      tenant.put(
          "api/v1/tenant/secrets/OPENAI_API_KEY",
          EventJson.mapper().createObjectNode().put("value", stack.config().llmApiKey()));
      tenant.put(
          "api/v1/tenant/secrets/OPENAI_BASE_URL",
          EventJson.mapper().createObjectNode().put("value", stack.llmBaseUrl()));
    }
    return new DemoTenant(tenantId, apiKey, withLlmKey);
  }

  public GatewayClient client(LocalStack stack) {
    return new GatewayClient(URI.create(stack.gateway().baseUrl() + "/"), apiKey, TIMEOUT);
  }
}
