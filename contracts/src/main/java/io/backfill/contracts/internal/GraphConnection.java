package io.backfill.contracts.internal;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The gateway's internal API answer to the fetcher: what it takes to get Graph tokens for a tenant
 * — its Microsoft Entra directory id and, when the tenant brings its own app registration, that
 * app's client id and secret. Null client id and secret mean the operator's app, which is only ever
 * pointed at a directory bound by admin consent or by the platform admin. A null directory id (the
 * fetcher's static source) means the connection configured as {@code quarkus.oidc-client.*}. The
 * secret is never printed.
 */
public record GraphConnection(
    String tenantId, String directoryId, String clientId, String clientSecret) {

  /** The configured connection, for any tenant (the fetcher's static source). */
  public static GraphConnection configured(String tenantId) {
    return new GraphConnection(tenantId, null, null, null);
  }

  /** True for the configured connection (no directory id); not part of the JSON. */
  @JsonIgnore
  public boolean isConfigured() {
    return directoryId == null;
  }

  @Override
  public String toString() {
    return "GraphConnection[tenantId="
        + tenantId
        + ", directoryId="
        + directoryId
        + ", clientId="
        + clientId
        + ", clientSecret=***]";
  }
}
