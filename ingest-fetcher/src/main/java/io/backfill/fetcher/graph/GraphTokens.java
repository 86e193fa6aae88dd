package io.backfill.fetcher.graph;

import io.backfill.fetcher.config.ConnectionsConfig;
import io.backfill.fetcher.config.GraphConfig;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.oidc.common.runtime.config.OidcClientCommonConfig.Credentials.Secret.Method;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Graph access tokens per tenant, from the client-credentials grant (scope {@code
 * https://graph.microsoft.com/.default}) against the tenant's directory. The tenant's connection
 * comes from {@link GraphConnections}; the static connection uses the OIDC client configured as
 * {@code quarkus.oidc-client.*}, a gateway connection gets a client of its own (one per directory
 * and app, kept while the connection stays the same). A tenant without a connection fails the
 * attempt as non-retryable ({@code UnknownTenant}).
 */
@ApplicationScoped
public class GraphTokens {

  static final String SCOPE = "https://graph.microsoft.com/.default";

  private final OidcClient configured;
  private final OidcClients clients;
  private final GraphConnections connections;
  private final Duration timeout;
  private final Duration connectTimeout;
  private final String loginUrl;
  private final String defaultClientId;
  private final String defaultClientSecret;
  private final Map<GraphConnection, Holder> holders = new ConcurrentHashMap<>();

  @Inject
  GraphTokens(
      OidcClient configured,
      OidcClients clients,
      GraphConnections connections,
      GraphConfig config,
      ConnectionsConfig connectionsConfig,
      @ConfigProperty(name = "quarkus.oidc-client.client-id") String defaultClientId,
      @ConfigProperty(name = "quarkus.oidc-client.credentials.client-secret.value")
          String defaultClientSecret) {
    this.configured = configured;
    this.clients = clients;
    this.connections = connections;
    // The token call gets the same bound as any Graph call: connect plus read.
    this.timeout = config.connectTimeout().plus(config.readTimeout());
    this.connectTimeout = config.connectTimeout();
    this.loginUrl = trimSlash(connectionsConfig.loginUrl());
    this.defaultClientId = defaultClientId;
    this.defaultClientSecret = defaultClientSecret;
  }

  /** For tests: only the configured client, every tenant on it. */
  public GraphTokens(OidcClient configured, GraphConfig config) {
    this.configured = configured;
    this.clients = null;
    this.connections = new StaticGraphConnections();
    this.timeout = config.connectTimeout().plus(config.readTimeout());
    this.connectTimeout = config.connectTimeout();
    this.loginUrl = null;
    this.defaultClientId = null;
    this.defaultClientSecret = null;
  }

  /** A valid access token of the tenant, fetched when there is none or it expired. */
  public String accessToken(String tenantId) {
    return holder(tenantId).accessToken();
  }

  /**
   * A new token after Graph rejected {@code rejected} with 401. Several attempts may hit the same
   * revoked token at once; only the first fetches a new one.
   */
  public String renew(String tenantId, String rejected) {
    return holder(tenantId).renew(rejected);
  }

  private Holder holder(String tenantId) {
    GraphConnection connection =
        connections
            .of(tenantId)
            .orElseThrow(
                () ->
                    new GraphRequestRejected(
                        0, "UnknownTenant", "tenant " + tenantId + " has no Graph connection"));
    // Keyed by the connection minus the tenant: tenants of one directory and app share a client.
    GraphConnection key =
        new GraphConnection(
            null, connection.directoryId(), connection.clientId(), connection.clientSecret());
    return holders.computeIfAbsent(key, k -> new Holder(k.isConfigured() ? configured : null, k));
  }

  private OidcClient newClient(GraphConnection connection) {
    boolean ownApp = connection.clientId() != null && !connection.clientId().isBlank();
    OidcClientConfig config =
        OidcClientConfig.authServerUrl(loginUrl + "/" + connection.directoryId())
            .id("graph-" + connection.directoryId() + "-" + (ownApp ? connection.clientId() : ""))
            // The v2.0 token endpoint is known; discovery would be one more call per directory.
            .discoveryEnabled(false)
            .tokenPath("oauth2/v2.0/token")
            .clientId(ownApp ? connection.clientId() : defaultClientId)
            .credentials()
            .clientSecret(ownApp ? connection.clientSecret() : defaultClientSecret, Method.POST)
            .end()
            .grant(OidcClientConfig.Grant.Type.CLIENT)
            .scopes(SCOPE)
            .connectionTimeout(connectTimeout)
            .build();
    return clients.newClient(config).await().atMost(timeout);
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** One directory and app: its client (made on first use) and its current tokens. */
  private final class Holder {

    private final GraphConnection connection;
    private OidcClient client;
    private Tokens tokens;

    Holder(OidcClient client, GraphConnection connection) {
      this.client = client;
      this.connection = connection;
    }

    synchronized String accessToken() {
      if (tokens == null || tokens.isAccessTokenExpired()) {
        tokens = client().getTokens().await().atMost(timeout);
      }
      return tokens.getAccessToken();
    }

    synchronized String renew(String rejected) {
      if (tokens == null || tokens.getAccessToken().equals(rejected)) {
        tokens = client().getTokens().await().atMost(timeout);
      }
      return tokens.getAccessToken();
    }

    private OidcClient client() {
      if (client == null) {
        client = newClient(connection);
      }
      return client;
    }
  }
}
