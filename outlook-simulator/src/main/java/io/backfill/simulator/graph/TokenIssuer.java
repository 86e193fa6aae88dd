package io.backfill.simulator.graph;

import io.backfill.simulator.config.SimulatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues client-credentials access tokens per tenant directory and checks them on Graph calls.
 * Tokens are opaque here (Graph's are JWTs, which clients must not read either); they expire and
 * can be revoked, so a client's refresh path is exercised.
 */
@ApplicationScoped
public class TokenIssuer {

  /** The only scope a client-credentials Graph token is issued for. */
  public static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";

  /** An issued token: which tenant it belongs to and until when it is valid. */
  public record Grant(String tenant, Instant expiresAt) {}

  private final SimulatorConfig config;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Grant> grants = new ConcurrentHashMap<>();
  private volatile Duration lifetime;

  TokenIssuer(SimulatorConfig config) {
    this.config = config;
    this.lifetime = config.graph().tokenLifetime();
  }

  /** Issues a token, or fails as the identity platform does for each kind of wrong request. */
  public String issue(
      String tenant, String grantType, String clientId, String clientSecret, String scope) {
    SimulatorConfig.TenantCredentials app = requireTenant(tenant);
    if (!"client_credentials".equals(grantType)) {
      throw new AadException(
          400,
          "unsupported_grant_type",
          70003,
          "The app requested an unsupported grant type '" + grantType + "'.");
    }
    if (!app.clientId().equals(clientId)) {
      throw new AadException(
          401,
          "invalid_client",
          700016,
          "Application with identifier '"
              + clientId
              + "' was not found in the directory '"
              + tenant
              + "'.");
    }
    if (!app.clientSecret().equals(clientSecret)) {
      throw new AadException(
          401,
          "invalid_client",
          7000215,
          "Invalid client secret provided. Ensure the secret being sent in the request is the"
              + " client secret value, not the client secret ID, for a secret added to app '"
              + clientId
              + "'.");
    }
    if (!GRAPH_SCOPE.equals(scope)) {
      throw new AadException(
          400,
          "invalid_scope",
          1002012,
          "The provided value for scope "
              + scope
              + " is not valid. Client credential flows must have a scope value with /.default"
              + " suffixed to the resource identifier (application ID URI).");
    }
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    String token = "sim." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    grants.put(token, new Grant(tenant, Instant.now().plus(lifetime)));
    return token;
  }

  /** The tenant's app, or 400 AADSTS90002 as for a directory that does not exist. */
  public SimulatorConfig.TenantCredentials requireTenant(String tenant) {
    SimulatorConfig.TenantCredentials app = config.graph().tenants().get(tenant);
    if (app == null) {
      throw new AadException(
          400,
          "invalid_request",
          90002,
          "Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID.");
    }
    return app;
  }

  public Duration lifetime() {
    return lifetime;
  }

  /** Changes the lifetime of tokens issued from now on (tests of expiry use seconds). */
  public void lifetime(Duration lifetime) {
    this.lifetime = lifetime;
  }

  /**
   * The grant of a bearer token from an Authorization header, or 401 InvalidAuthenticationToken
   * with the message Graph gives for each case.
   */
  public Grant check(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw unauthorized("Access token is empty.");
    }
    Grant grant = grants.get(authorization.substring(7).trim());
    if (grant == null) {
      throw unauthorized("IDX14100: JWT is not well formed, there are no dots (.).");
    }
    if (grant.expiresAt().isBefore(Instant.now())) {
      throw unauthorized("Lifetime validation failed, the token is expired.");
    }
    return grant;
  }

  /** Revokes one token, as when an admin withdraws consent mid-backfill. */
  public void revoke(String authorization) {
    if (authorization != null && authorization.length() > 7) {
      String token = authorization.substring(7).trim();
      grants.computeIfPresent(token, (t, g) -> new Grant(g.tenant(), Instant.EPOCH));
    }
  }

  /** Revokes every token of a tenant, or of all tenants when tenant is null; returns how many. */
  public int revokeAll(String tenant) {
    int[] revoked = {0};
    grants.replaceAll(
        (token, grant) -> {
          if (tenant == null || tenant.equals(grant.tenant())) {
            revoked[0]++;
            return new Grant(grant.tenant(), Instant.EPOCH);
          }
          return grant;
        });
    return revoked[0];
  }

  static GraphException unauthorized(String message) {
    return new GraphException(
        401,
        "InvalidAuthenticationToken",
        message,
        Map.of(
            "WWW-Authenticate",
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\","
                + " client_id=\"00000003-0000-0000-c000-000000000000\""));
  }
}
