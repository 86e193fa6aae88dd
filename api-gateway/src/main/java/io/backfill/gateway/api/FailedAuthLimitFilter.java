package io.backfill.gateway.api;

import io.backfill.gateway.config.LimitsConfig;
import io.backfill.gateway.domain.FailureWindows;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Slows down guessing of API keys and tokens: every credential {@link BearerAuthFilter} refuses
 * (401 with a token presented) counts against the client's address and, for an API key, against its
 * prefix ({@code bfk_} and the 6 characters after it, the part key listings show). After {@code
 * max-failures} within the window, further calls from that address, or with a key of that prefix,
 * get 429 {@code rate-limited} before any credential is looked at, until the window ends. Accepted
 * credentials neither count nor reset the count.
 *
 * <p>The address is the connection's peer, or the forwarded client when {@code
 * quarkus.http.proxy.proxy-address-forwarding} is enabled behind a trusted proxy; without it, every
 * client behind one proxy shares one count.
 */
// Created at start-up, so a limit configured out of range stops the start, not a request.
@Startup
public class FailedAuthLimitFilter {

  private static final Logger LOG = Logger.getLogger(FailedAuthLimitFilter.class);
  private static final String ADDRESS = "failed_auth_address";
  private static final String KEY_PREFIX = "failed_auth_key_prefix";
  private static final String ADDRESS_PROPERTY = FailedAuthLimitFilter.class.getName() + ".address";
  private static final String BEARER = "Bearer ";
  private static final String API_KEY_MARK = "bfk_";
  private static final int PREFIX_LENGTH = 10;

  private final MeterRegistry metrics;
  private final LimitsConfig.FailedAuth config;
  private final FailureWindows byAddress;
  private final FailureWindows byPrefix;

  FailedAuthLimitFilter(LimitsConfig limits, MeterRegistry metrics) {
    this.metrics = metrics;
    this.config = limits.failedAuth();
    this.byAddress =
        new FailureWindows(config.maxFailures(), config.window(), limits.maxTrackedKeys());
    this.byPrefix =
        new FailureWindows(config.maxFailures(), config.window(), limits.maxTrackedKeys());
  }

  // Before authentication: a blocked client costs no key lookup.
  @ServerRequestFilter(priority = Priorities.AUTHENTICATION - 100)
  public void refuseBlocked(ContainerRequestContext request, HttpServerRequest http) {
    if (!authenticated(request.getUriInfo().getPath())) {
      return;
    }
    String address = addressOf(http);
    request.setProperty(ADDRESS_PROPERTY, address);
    long addressBlocked = byAddress.blockedForSeconds(address);
    if (addressBlocked > 0) {
      throw refused(ADDRESS, "this address", addressBlocked);
    }
    String prefix = keyPrefix(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    long prefixBlocked = prefix == null ? 0 : byPrefix.blockedForSeconds(prefix);
    if (prefixBlocked > 0) {
      throw refused(KEY_PREFIX, "API keys starting " + prefix, prefixBlocked);
    }
  }

  @ServerResponseFilter
  public void countFailure(ContainerRequestContext request, ContainerResponseContext response) {
    String token = bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    Object address = request.getProperty(ADDRESS_PROPERTY);
    // Only a presented credential that was refused is a guess; a missing token is not.
    if (response.getStatus() != 401 || token == null || address == null) {
      return;
    }
    if (byAddress.recordFailure(address.toString())) {
      LOG.warnf(
          "refusing address %s for up to %d s: %d failed authentications (the latest on %s)",
          address,
          config.window().toSeconds(),
          config.maxFailures(),
          request.getUriInfo().getPath());
    }
    String prefix = keyPrefix(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    if (prefix != null && byPrefix.recordFailure(prefix)) {
      // The prefix is what key listings show; the rest of the key is never logged.
      LOG.warnf(
          "refusing API keys starting %s for up to %d s: %d failed authentications (the latest"
              + " from %s)",
          prefix, config.window().toSeconds(), config.maxFailures(), address);
    }
  }

  private RateLimitedException refused(String limit, String who, long retryAfterSeconds) {
    metrics.counter("backfill_gateway_rate_limited_total", "limit", limit).increment();
    return new RateLimitedException(
        "Too many failed authentications from " + who + "; retry after the given seconds.",
        retryAfterSeconds);
  }

  private static boolean authenticated(String path) {
    return path.startsWith("/api/") || path.startsWith("/internal/");
  }

  private static String addressOf(HttpServerRequest http) {
    SocketAddress remote = http.remoteAddress();
    if (remote == null) {
      return "unknown";
    }
    return remote.hostAddress() != null ? remote.hostAddress() : remote.host();
  }

  private static String bearerToken(String header) {
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = header.substring(BEARER.length()).trim();
    return token.isEmpty() ? null : token;
  }

  /** The public part of an API key, or null for anything that is not one (e.g. a token). */
  private static String keyPrefix(String header) {
    String token = bearerToken(header);
    if (token == null || !token.startsWith(API_KEY_MARK) || token.length() <= PREFIX_LENGTH) {
      return null;
    }
    return token.substring(0, PREFIX_LENGTH);
  }
}
