package io.backfill.simulator.graph;

import io.backfill.simulator.config.SimulatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Issues client-credentials access tokens per tenant directory and checks them on Graph calls. A
 * directory's own app gets tokens for that directory only; a multi-tenant app for the directories
 * that consented to it. Tokens are opaque here (Graph's are JWTs, which clients must not read
 * either); they expire and can be revoked, so a client's refresh path is exercised.
 */
@ApplicationScoped
public class TokenIssuer {

  /** The only scope a client-credentials Graph token is issued for. */
  public static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";

  /** An issued token: the directory and app it belongs to and until when it is valid. */
  public record Grant(String tenant, String clientId, Instant expiresAt) {

    Grant revoked() {
      return new Grant(tenant, clientId, Instant.EPOCH);
    }
  }

  private final DirectoryRegistry directories;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Grant> grants = new ConcurrentHashMap<>();
  private volatile Duration lifetime;

  TokenIssuer(SimulatorConfig config, DirectoryRegistry directories) {
    this.directories = directories;
    this.lifetime = config.graph().tokenLifetime();
  }

  /**
   * Issues a token for the directory, or fails as the identity platform does for each kind of wrong
   * request. A multi-tenant app is checked against the directory's consent before its secret, as
   * Entra looks the app up in the directory first.
   */
  public String issue(
      Directory directory, String grantType, String clientId, String clientSecret, String scope) {
    if (!"client_credentials".equals(grantType)) {
      throw new AadException(
          400,
          "unsupported_grant_type",
          70003,
          "The app requested an unsupported grant type '" + grantType + "'.");
    }
    AppRegistration app = appIn(directory, clientId);
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
    grants.put(token, new Grant(directory.id(), clientId, Instant.now().plus(lifetime)));
    return token;
  }

  /**
   * The app a client id names in this directory: the directory's own app, or a multi-tenant app its
   * administrator consented to.
   */
  private AppRegistration appIn(Directory directory, String clientId) {
    AppRegistration own = directory.ownApp();
    if (own != null && own.clientId().equals(clientId)) {
      return own;
    }
    AppRegistration app =
        directories
            .multiTenantApp(clientId)
            .orElseThrow(
                () ->
                    new AadException(
                        401,
                        "invalid_client",
                        700016,
                        "Application with identifier '"
                            + clientId
                            + "' was not found in the directory '"
                            + directory.id()
                            + "'."));
    return switch (directory.consent(clientId)) {
      case CONSENTED -> app;
      case NEVER ->
          throw new AadException(
              400,
              "unauthorized_client",
              700016,
              "Application with identifier '"
                  + clientId
                  + "' was not found in the directory '"
                  + directory.displayName()
                  + "'. This can happen if the application has not been installed by the"
                  + " administrator of the tenant or consented to by any user in the tenant. You"
                  + " may have sent your authentication request to the wrong tenant.");
      case WITHDRAWN ->
          throw new AadException(
              400,
              "invalid_grant",
              65001,
              "The user or administrator has not consented to use the application with ID '"
                  + clientId
                  + "' named '"
                  + app.name()
                  + "'. Send an interactive authorization request for this user and resource.");
    };
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
      grants.computeIfPresent(token, (t, g) -> g.revoked());
    }
  }

  /** Revokes every token of a tenant, or of all tenants when tenant is null; returns how many. */
  public int revokeAll(String tenant) {
    return revokeWhere(grant -> tenant == null || tenant.equals(grant.tenant()));
  }

  /** Revokes the tokens one app holds for one directory, as when consent is withdrawn. */
  public int revokeAll(String tenant, String clientId) {
    return revokeWhere(grant -> tenant.equals(grant.tenant()) && clientId.equals(grant.clientId()));
  }

  private int revokeWhere(Predicate<Grant> which) {
    int[] revoked = {0};
    grants.replaceAll(
        (token, grant) -> {
          if (which.test(grant) && grant.expiresAt().isAfter(Instant.EPOCH)) {
            revoked[0]++;
            return grant.revoked();
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
