package io.backfill.gateway.api;

import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.ApiKeys;
import io.backfill.gateway.domain.LogText;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every call under {@code /api/v1} by its {@code Authorization: Bearer} token: a
 * tenant's API key or the admin token. Missing or unknown → 401; a key of a suspended tenant → 403;
 * what each role may do is decided by the resource through {@link Caller}. The admin-consent
 * callback is the one exception: Microsoft redirects an admin's browser there without a key, and
 * its signed state names the tenant. {@code /internal/v1} is served on its own port ({@link
 * InternalServer}). Runs on the resource's worker thread (the default for filters of blocking
 * endpoints), so the key lookup may use the database.
 */
public class BearerAuthFilter {

  private static final Logger LOG = Logger.getLogger(BearerAuthFilter.class);
  private static final String BEARER = "Bearer ";

  private final Caller caller;
  private final ApiKeys apiKeys;
  private final GatewayConfig config;
  private final MeterRegistry metrics;

  BearerAuthFilter(Caller caller, ApiKeys apiKeys, GatewayConfig config, MeterRegistry metrics) {
    this.caller = caller;
    this.apiKeys = apiKeys;
    this.config = config;
    this.metrics = metrics;
  }

  @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
  public void authenticate(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith("/api/") || path.equals(GraphConsentResource.CALLBACK_PATH)) {
      return;
    }
    String token = bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    if (token == null) {
      throw unauthorized(path, "missing", "An Authorization: Bearer token is required.");
    }
    if (matches(config.adminToken(), token)) {
      caller.authenticate(Caller.Role.ADMIN, null);
    } else {
      ApiKeys.Lookup found = apiKeys.lookup(token);
      if (found instanceof ApiKeys.Revoked revoked) {
        // Named by its id (never the key), so an operator can tell who still uses a revoked key.
        throw unauthorized(
            path + " with revoked key " + revoked.keyId() + " of tenant " + revoked.tenantId(),
            "revoked_key",
            "The API key was revoked.");
      }
      if (found instanceof ApiKeys.Suspended suspended) {
        LOG.infof(
            "refused %s: key %s of suspended tenant %s",
            path, suspended.keyId(), suspended.tenantId());
        metrics
            .counter("backfill_gateway_auth_failures_total", "reason", "tenant_suspended")
            .increment();
        throw tenantSuspended(suspended.tenantId());
      }
      if (!(found instanceof ApiKeys.Live live)) {
        throw unauthorized(path, "bad_key", "The API key is not valid.");
      }
      caller.authenticate(Caller.Role.TENANT, live.owner().tenantId(), live.owner().keyId());
    }
  }

  /** 403 for a suspended tenant, on the public API and on the internal port alike. */
  static ProblemException tenantSuspended(String tenantId) {
    return new ProblemException(
        Problem.of(
            "tenant-suspended", "Tenant suspended", 403, "Tenant " + tenantId + " is suspended."));
  }

  static String bearerToken(String header) {
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = header.substring(BEARER.length()).trim();
    return token.isEmpty() ? null : token;
  }

  /** Constant-time comparison: the time taken says nothing about how much of a token was right. */
  static boolean matches(Optional<String> expected, String token) {
    return expected.isPresent()
        && !expected.get().isBlank()
        && MessageDigest.isEqual(
            expected.get().getBytes(StandardCharsets.UTF_8),
            token.getBytes(StandardCharsets.UTF_8));
  }

  private ProblemException unauthorized(String path, String reason, String detail) {
    // The token itself is never logged, not even in part.
    LOG.infof("refused %s: %s", LogText.of(path), reason);
    metrics.counter("backfill_gateway_auth_failures_total", "reason", reason).increment();
    return new ProblemException(Problem.of("unauthorized", "Unauthorized", 401, detail));
  }
}
