package io.backfill.gateway.api.openapi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The groups of the gateway's operations in its OpenAPI document: a resource names its group with
 * {@code @Tag(name = ApiTags.X)}, and {@link GatewayOpenApi} declares every group once with its
 * description, in this order. A generated client gets one class per group ({@code BackfillsApi}).
 */
public final class ApiTags {

  public static final String BACKFILLS = "Backfills";
  public static final String API_KEYS = "API keys";
  public static final String SECRETS = "Secrets";
  public static final String GRAPH = "Graph";
  public static final String TENANT_ADMIN = "Tenant administration";
  public static final String MASTER_KEYS = "Master keys";
  public static final String OPERATIONS = "Operations";
  public static final String SERVICE = "Service";

  /** Each group and what it holds, in the document's order. */
  static final Map<String, String> DESCRIPTIONS = descriptions();

  /** Operations of resources this module does not own, by path. */
  static final Map<String, String> BY_PATH = Map.of("/version", SERVICE);

  private ApiTags() {}

  private static Map<String, String> descriptions() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(BACKFILLS, "A tenant's backfill jobs: submit, status, events, follow and commands");
    tags.put(API_KEYS, "The calling tenant's own API keys");
    tags.put(SECRETS, "The calling tenant's secrets (its LLM key), stored sealed");
    tags.put(GRAPH, "Binding a tenant to its Microsoft Entra directory: admin consent and state");
    tags.put(TENANT_ADMIN, "Operator: tenants, their keys and their Graph directory");
    tags.put(MASTER_KEYS, "Operator: the master keys that seal tenant secrets, and rotation");
    tags.put(OPERATIONS, "Operator: consumer lag and the fleet's build versions");
    tags.put(SERVICE, "The build this gateway runs");
    return Collections.unmodifiableMap(tags);
  }
}
