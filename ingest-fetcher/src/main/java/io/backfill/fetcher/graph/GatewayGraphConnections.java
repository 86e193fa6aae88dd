package io.backfill.fetcher.graph;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.backfill.contracts.internal.GraphConnection;
import io.backfill.fetcher.config.ConnectionsConfig;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Connections from the gateway's internal endpoint, each reused for {@code cache-ttl}: intake and
 * every token renewal ask, and the gateway should not see a call per request. A 404 is "unknown
 * tenant" and is not cached, so a tenant configured a moment later is accepted at once.
 */
public class GatewayGraphConnections implements GraphConnections {

  /** The error code of a running attempt whose tenant was suspended meanwhile. */
  public static final String TENANT_SUSPENDED = "TenantSuspended";

  private static final Logger LOG = Logger.getLogger(GatewayGraphConnections.class);

  private final GatewayClient gateway;
  private final String authorization;
  private final Duration ttl;
  private final Clock clock;
  private final Cache<String, Cached> cache;

  public GatewayGraphConnections(GatewayClient gateway, ConnectionsConfig config, Clock clock) {
    this.gateway = gateway;
    this.authorization =
        "Bearer "
            + config
                .serviceToken()
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "backfill.graph.connections.service-token is required with source"
                                + " gateway"));
    this.ttl = config.cacheTtl();
    this.clock = clock;
    this.cache = Caffeine.newBuilder().maximumSize(config.cacheSize()).build();
  }

  @Override
  public Optional<GraphConnection> of(String tenantId) {
    Instant now = clock.instant();
    Cached cached = cache.getIfPresent(tenantId);
    if (cached != null && cached.until().isAfter(now)) {
      return Optional.of(cached.connection());
    }
    try {
      GraphConnection connection = gateway.graphConnection(tenantId, authorization);
      if (connection == null || connection.directoryId() == null) {
        throw new GraphConnectionUnavailable(
            "the gateway answered no directory id for tenant " + tenantId, null);
      }
      cache.put(tenantId, new Cached(connection, now.plus(ttl)));
      return Optional.of(connection);
    } catch (WebApplicationException e) {
      int status = e.getResponse().getStatus();
      if (status == 404) {
        cache.invalidate(tenantId);
        LOG.infof("the gateway knows no Graph connection of tenant %s", tenantId);
        return Optional.empty();
      }
      if (status == 403) {
        cache.invalidate(tenantId);
        throw new GraphRequestRejected(
            403,
            TENANT_SUSPENDED,
            "the gateway refuses the Graph connection of tenant " + tenantId);
      }
      throw new GraphConnectionUnavailable(
          "the gateway answered " + status + " for the Graph connection of tenant " + tenantId, e);
    } catch (ProcessingException e) {
      // Connection refused, timeout: the gateway is down or slow, not the tenant unknown.
      throw new GraphConnectionUnavailable(
          "the gateway did not answer for the Graph connection of tenant "
              + tenantId
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private record Cached(GraphConnection connection, Instant until) {}
}
