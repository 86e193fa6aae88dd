package io.backfill.fetcher.graph;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Graph access tokens from the client-credentials grant (scope {@code
 * https://graph.microsoft.com/.default}), through quarkus-oidc-client configured as {@code
 * quarkus.oidc-client.*}. One configured tenant directory for now; a client per tenant from the
 * gateway's connection lookup is not built yet.
 */
@ApplicationScoped
public class GraphTokens {

  private final OidcClient client;
  private final Duration timeout;
  private Tokens tokens;

  GraphTokens(OidcClient client, io.backfill.fetcher.config.GraphConfig config) {
    this.client = client;
    // The token call gets the same bound as any Graph call: connect plus read.
    this.timeout = config.connectTimeout().plus(config.readTimeout());
  }

  /** A valid access token, fetched when there is none or it expired. */
  public synchronized String accessToken() {
    if (tokens == null || tokens.isAccessTokenExpired()) {
      tokens = client.getTokens().await().atMost(timeout);
    }
    return tokens.getAccessToken();
  }

  /**
   * A new token after Graph rejected {@code rejected} with 401. Several attempts may hit the same
   * revoked token at once; only the first fetches a new one.
   */
  public synchronized String renew(String rejected) {
    if (tokens == null || tokens.getAccessToken().equals(rejected)) {
      tokens = client.getTokens().await().atMost(timeout);
    }
    return tokens.getAccessToken();
  }
}
