package io.backfill.gateway.api;

import io.backfill.gateway.config.LimitsConfig;
import io.backfill.gateway.domain.TokenBuckets;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Per-tenant rates of the calls that cost the most or touch secrets: submissions ({@code POST
 * /api/v1/backfills}) and secret writes ({@code PUT}/{@code DELETE /api/v1/tenant/secrets/...}).
 * Over the rate → 429 {@code rate-limited} with {@code Retry-After}. Runs after {@link
 * BearerAuthFilter}, so only authenticated tenants are counted, each in its own bucket.
 */
// Created at start-up, so a limit configured out of range stops the start, not a request.
@Startup
public class TenantRateLimitFilter {

  private static final Logger LOG = Logger.getLogger(TenantRateLimitFilter.class);
  private static final String SUBMISSIONS = "submissions";
  private static final String SECRET_WRITES = "secret_writes";

  private final Caller caller;
  private final MeterRegistry metrics;
  private final TokenBuckets submissions;
  private final TokenBuckets secretWrites;

  TenantRateLimitFilter(Caller caller, LimitsConfig limits, MeterRegistry metrics) {
    this.caller = caller;
    this.metrics = metrics;
    LimitsConfig.Submissions s = limits.submissions();
    this.submissions =
        new TokenBuckets(s.permits(), s.period(), s.burst(), limits.maxTrackedKeys());
    LimitsConfig.SecretWrites w = limits.secretWrites();
    this.secretWrites =
        new TokenBuckets(w.permits(), w.period(), w.burst(), limits.maxTrackedKeys());
  }

  @ServerRequestFilter(priority = Priorities.AUTHORIZATION)
  public void limit(ContainerRequestContext request) {
    String limit = limitOf(request.getMethod(), request.getUriInfo().getPath());
    if (limit == null || !caller.isTenant()) {
      return;
    }
    String tenantId = caller.tenantId();
    TokenBuckets.Decision decision =
        (limit.equals(SUBMISSIONS) ? submissions : secretWrites).tryAcquire(tenantId);
    if (decision.allowed()) {
      return;
    }
    metrics.counter("backfill_gateway_rate_limited_total", "limit", limit).increment();
    if (decision.firstRefusal()) {
      // Once per run of refusals: a client retrying in a loop does not flood the log.
      LOG.infof(
          "tenant %s is over its %s rate; refusing with Retry-After %d s",
          tenantId, limit, decision.retryAfterSeconds());
    }
    throw new RateLimitedException(
        "Too many " + limit.replace('_', ' ') + " for this tenant; retry after the given seconds.",
        decision.retryAfterSeconds());
  }

  private static String limitOf(String method, String path) {
    if (method.equals("POST")
        && (path.equals("/api/v1/backfills") || path.equals("/api/v1/backfills/"))) {
      return SUBMISSIONS;
    }
    if ((method.equals("PUT") || method.equals("DELETE"))
        && path.startsWith("/api/v1/tenant/secrets/")) {
      return SECRET_WRITES;
    }
    return null;
  }
}
