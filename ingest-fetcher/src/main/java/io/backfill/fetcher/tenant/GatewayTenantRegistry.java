package io.backfill.fetcher.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.backfill.fetcher.config.TenantsConfig;
import io.backfill.fetcher.graph.GatewayClient;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The tenant registry at the gateway ({@code GET /internal/v1/tenants/{tenantId}}), each answer
 * reused for {@code cache-ttl} (unknown tenants for the shorter {@code unknown-cache-ttl}) in a
 * cache of at most {@code cache-size} tenants. A gateway that does not answer, or answers anything
 * but 200 or 404, is {@link TenantRegistryUnavailable}: the request is retried, never rejected.
 */
public class GatewayTenantRegistry implements TenantRegistry {

  private static final Logger LOG = Logger.getLogger(GatewayTenantRegistry.class);

  private final GatewayClient gateway;
  private final String authorization;
  private final Cache<String, TenantStatus> cache;

  public GatewayTenantRegistry(GatewayClient gateway, String serviceToken, TenantsConfig config) {
    this.gateway = gateway;
    this.authorization = "Bearer " + serviceToken;
    Duration known = config.cacheTtl();
    Duration unknown = config.unknownCacheTtl();
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(config.cacheSize())
            .expireAfter(
                new Expiry<String, TenantStatus>() {
                  @Override
                  public long expireAfterCreate(String tenant, TenantStatus status, long now) {
                    return (status == TenantStatus.UNKNOWN ? unknown : known).toNanos();
                  }

                  @Override
                  public long expireAfterUpdate(
                      String tenant, TenantStatus status, long now, long current) {
                    return expireAfterCreate(tenant, status, now);
                  }

                  @Override
                  public long expireAfterRead(
                      String tenant, TenantStatus status, long now, long current) {
                    return current;
                  }
                })
            .build();
  }

  @Override
  public TenantStatus statusOf(String tenantId) {
    // A failure inside the loader is not cached: the next request asks the gateway again.
    return cache.get(tenantId, this::ask);
  }

  private TenantStatus ask(String tenantId) {
    try {
      TenantRecord record = gateway.tenant(tenantId, authorization);
      String status = record == null ? null : record.status();
      if ("active".equals(status)) {
        return TenantStatus.ACTIVE;
      }
      if ("suspended".equals(status)) {
        return TenantStatus.SUSPENDED;
      }
      throw new TenantRegistryUnavailable(
          "the gateway answered status '" + status + "' for tenant " + tenantId, null);
    } catch (WebApplicationException e) {
      int status = e.getResponse().getStatus();
      if (status == 404) {
        LOG.infof("the gateway knows no tenant %s", tenantId);
        return TenantStatus.UNKNOWN;
      }
      throw new TenantRegistryUnavailable(
          "the gateway answered " + status + " for tenant " + tenantId, e);
    } catch (ProcessingException e) {
      // Connection refused, timeout: the gateway is down or slow, not the tenant unknown.
      throw new TenantRegistryUnavailable(
          "the gateway did not answer for tenant " + tenantId + ": " + e.getMessage(), e);
    }
  }
}
