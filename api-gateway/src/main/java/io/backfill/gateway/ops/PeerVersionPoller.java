package io.backfill.gateway.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.serde.EventJson;
import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.FleetRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Polls {@code /version} of the configured peers (services that run no attempts, such as the
 * monitor, or any instance an operator lists) and records what they run in the fleet view. Every
 * call has a connect and a read timeout; a peer that does not answer is logged and counted, and
 * simply stops being live after the live window.
 */
@ApplicationScoped
@Startup
public class PeerVersionPoller {

  private static final Logger LOG = Logger.getLogger(PeerVersionPoller.class);

  private final GatewayConfig config;
  private final FleetRegistry fleet;
  private final MeterRegistry metrics;
  private final HttpClient http;

  PeerVersionPoller(GatewayConfig config, FleetRegistry fleet, MeterRegistry metrics) {
    this.config = config;
    this.fleet = fleet;
    this.metrics = metrics;
    this.http = HttpClient.newBuilder().connectTimeout(config.ops().peerConnectTimeout()).build();
    // Both outcomes exported at 0 from start-up, before the first (delayed) poll.
    metrics.counter("backfill_gateway_peer_polls_total", "outcome", "answered");
    metrics.counter("backfill_gateway_peer_polls_total", "outcome", "failed");
  }

  @Scheduled(
      every = "${backfill.gateway.ops.peer-poll-interval:30s}",
      delayed = "10s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void pollConfiguredPeers() {
    config.ops().peers().ifPresent(this::poll);
  }

  /** Polls each base URL once; true for each peer that answered with a version. */
  public List<Boolean> poll(List<String> baseUrls) {
    return baseUrls.stream().map(this::pollOne).toList();
  }

  private boolean pollOne(String baseUrl) {
    URI uri = URI.create(baseUrl.replaceAll("/+$", "") + "/version");
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(config.ops().peerReadTimeout()).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode());
      }
      JsonNode version = EventJson.mapper().readTree(response.body());
      String service = version.path("service").asText("unknown");
      String sha = version.path("buildSha").asText("unknown");
      String instance = service + "@" + uri.getAuthority();
      QuarkusTransaction.requiringNew()
          .run(() -> fleet.seen(instance, service, sha, Instant.now()));
      metrics.counter("backfill_gateway_peer_polls_total", "outcome", "answered").increment();
      return true;
    } catch (IOException | RuntimeException e) {
      metrics.counter("backfill_gateway_peer_polls_total", "outcome", "failed").increment();
      LOG.warnf("peer %s did not tell its version: %s", uri, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
