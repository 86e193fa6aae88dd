package io.backfill.fetcher.graph;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.backfill.contracts.internal.GraphConnection;
import io.backfill.fetcher.config.ConnectionsConfig;
import io.backfill.fetcher.config.GraphConfig;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.oidc.common.runtime.config.OidcClientCommonConfig.Credentials.Secret.Method;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Graph access tokens per tenant, from the client-credentials grant (scope {@code
 * https://graph.microsoft.com/.default}) against the tenant's directory. The tenant's connection
 * comes from {@link GraphConnections}; the static connection uses the OIDC client configured as
 * {@code quarkus.oidc-client.*}, a gateway connection gets a client of its own. Clients and tokens
 * are kept per tenant in a cache of at most {@code backfill.graph.connections.cache-size} tenants
 * (the least used dropped first, by recency and frequency); a tenant whose connection changed
 * (directory, app or secret) gets a new client and its old one is closed. A tenant without a
 * connection fails the attempt as non-retryable ({@code UnknownTenant}), and so does a directory
 * that refuses the app (never consented, app or directory unknown): the token error's AADSTS code
 * becomes the error.
 */
@ApplicationScoped
public class GraphTokens {

  static final String SCOPE = "https://graph.microsoft.com/.default";

  private static final Logger LOG = Logger.getLogger(GraphTokens.class);

  /**
   * Token errors that no retry fixes: the app is not in the directory (AADSTS700016), the directory
   * never consented to it (AADSTS65001), the directory does not exist (AADSTS90002).
   */
  private static final Set<String> REFUSALS = Set.of("AADSTS700016", "AADSTS65001", "AADSTS90002");

  private static final Set<String> REFUSAL_ERRORS = Set.of("unauthorized_client", "invalid_grant");
  private static final Pattern AADSTS = Pattern.compile("AADSTS\\d+");
  private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([a-z_]+)\"");

  private final OidcClient configured;
  private final OidcClients clients;
  private final GraphConnections connections;
  private final Duration timeout;
  private final Duration connectTimeout;
  private final String loginUrl;
  private final String defaultClientId;
  private final String defaultClientSecret;
  private final Cache<String, Holder> holders;

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
    this.holders = holders(connectionsConfig.cacheSize());
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
    this.holders = holders(1000);
  }

  private static Cache<String, Holder> holders(int size) {
    return Caffeine.newBuilder()
        .maximumSize(size)
        // Evicted (size bound) or replaced (connection changed): its client goes too.
        .<String, Holder>removalListener((tenant, holder, cause) -> holder.close(tenant))
        .build();
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
    GraphConnection key =
        new GraphConnection(
            null, connection.directoryId(), connection.clientId(), connection.clientSecret());
    Holder current = holders.getIfPresent(tenantId);
    if (current != null && current.connection.equals(key)) {
      return current;
    }
    return holders
        .asMap()
        .compute(
            tenantId,
            (tenant, held) ->
                held != null && held.connection.equals(key)
                    ? held
                    : new Holder(key.isConfigured() ? configured : null, key, tenant));
  }

  /** Tenants whose token client is kept now; for tests and diagnosis. */
  public long heldTenants() {
    holders.cleanUp();
    return holders.estimatedSize();
  }

  /**
   * The token endpoint's error as a non-retryable rejection when it is one no retry fixes (the
   * directory refuses the app), else empty and the failure stays retryable.
   */
  static Optional<GraphRequestRejected> refusal(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof OidcClientException && e.getMessage() != null) {
        String message = e.getMessage();
        Matcher code = AADSTS.matcher(message);
        Matcher error = ERROR.matcher(message);
        String aadsts = code.find() ? code.group() : null;
        String name = error.find() ? error.group(1) : null;
        if ((aadsts != null && REFUSALS.contains(aadsts))
            || (name != null && REFUSAL_ERRORS.contains(name))) {
          return Optional.of(
              new GraphRequestRejected(0, aadsts != null ? aadsts : name, message.strip()));
        }
      }
      if (e.getCause() == e) {
        break;
      }
    }
    return Optional.empty();
  }

  private OidcClient newClient(GraphConnection connection, String tenantId) {
    boolean ownApp = connection.clientId() != null && !connection.clientId().isBlank();
    OidcClientConfig config =
        OidcClientConfig.authServerUrl(loginUrl + "/" + connection.directoryId())
            .id("graph-" + tenantId)
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

  /** One tenant's directory and app: its client (made on first use) and its current tokens. */
  private final class Holder {

    private final GraphConnection connection;
    private final String tenantId;
    private final boolean ownClient;
    private OidcClient client;
    private Tokens tokens;

    Holder(OidcClient client, GraphConnection connection, String tenantId) {
      this.client = client;
      this.connection = connection;
      this.tenantId = tenantId;
      this.ownClient = client == null;
    }

    synchronized String accessToken() {
      if (tokens == null || tokens.isAccessTokenExpired()) {
        tokens = fetch();
      }
      return tokens.getAccessToken();
    }

    synchronized String renew(String rejected) {
      if (tokens == null || tokens.getAccessToken().equals(rejected)) {
        tokens = fetch();
      }
      return tokens.getAccessToken();
    }

    private Tokens fetch() {
      try {
        return client().getTokens().await().atMost(timeout);
      } catch (RuntimeException e) {
        throw refusal(e).map(RuntimeException.class::cast).orElse(e);
      }
    }

    private OidcClient client() {
      if (client == null) {
        client = newClient(connection, tenantId);
      }
      return client;
    }

    /**
     * Closes a client made for this tenant; the configured one is shared and stays. An attempt that
     * still holds this holder gets a fresh client at its next token rather than a closed one.
     */
    synchronized void close(String tenant) {
      if (!ownClient || client == null) {
        return;
      }
      OidcClient closing = client;
      client = null;
      try {
        closing.close();
      } catch (IOException | RuntimeException e) {
        LOG.warnf(
            "could not close the Graph token client of tenant %s: %s", tenant, e.getMessage());
      }
    }
  }
}
