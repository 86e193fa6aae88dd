package io.backfill.fetcher.graph;

/**
 * What it takes to get Graph tokens for a tenant: its Microsoft Entra directory id and, when the
 * tenant brings its own app registration, that app's client id and secret (otherwise the fetcher's
 * own app). The gateway's {@code GraphConnection} shape. A null directory id means the connection
 * configured as {@code quarkus.oidc-client.*} (the static source).
 */
public record GraphConnection(
    String tenantId, String directoryId, String clientId, String clientSecret) {

  /** The configured connection, for any tenant (static source). */
  public static GraphConnection configured(String tenantId) {
    return new GraphConnection(tenantId, null, null, null);
  }

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
