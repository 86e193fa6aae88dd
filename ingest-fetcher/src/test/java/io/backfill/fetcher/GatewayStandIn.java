package io.backfill.fetcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server answering the api-gateway's internal API as InternalResource does, with the
 * service token as a bearer token (else 401): {@code GET /internal/v1/tenants/{tenantId}/graph-
 * connection} (the connection as JSON, or 404 problem+json for a tenant without a directory id) and
 * the tenant registry {@code GET /internal/v1/tenants/{tenantId}} ({@code status} active or
 * suspended, 404 for a tenant never registered, 503 while told to fail). The fetcher is configured
 * to take its tenants and their connections from here.
 */
public class GatewayStandIn implements QuarkusTestResourceLifecycleManager {

  static final String SERVICE_TOKEN = "test-service-token";
  private static final String PREFIX = "/internal/v1/tenants/";
  private static final String SUFFIX = "/graph-connection";
  private static final Map<String, String> CONNECTIONS = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
  private static final Map<String, String> STATUSES = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> REGISTRY_FAILURES = new ConcurrentHashMap<>();
  private static final AtomicInteger UNAUTHORIZED = new AtomicInteger();
  private HttpServer server;

  /** The tenant is known, in the directory, with its own app when {@code clientId} is not null. */
  static void register(String tenantId, String directoryId, String clientId, String secret) {
    STATUSES.putIfAbsent(tenantId, "active");
    CONNECTIONS.put(
        tenantId,
        "{\"tenantId\":\""
            + tenantId
            + "\",\"directoryId\":\""
            + directoryId
            + "\",\"clientId\":"
            + (clientId == null ? "null" : "\"" + clientId + "\"")
            + ",\"clientSecret\":"
            + (secret == null ? "null" : "\"" + secret + "\"")
            + "}");
  }

  /** The registry answers the tenant as suspended (its connection stays). */
  static void suspend(String tenantId) {
    STATUSES.put(tenantId, "suspended");
  }

  /** The registry knows the tenant (active) though it has no Graph connection. */
  static void registerWithoutConnection(String tenantId) {
    STATUSES.put(tenantId, "active");
  }

  /** The registry answers the tenant's next {@code times} lookups with 503. */
  static void failRegistry(String tenantId, int times) {
    REGISTRY_FAILURES.put(tenantId, new AtomicInteger(times));
  }

  /** How many times the fetcher asked for the tenant's connection. */
  static int calls(String tenantId) {
    AtomicInteger calls = CALLS.get(tenantId);
    return calls == null ? 0 : calls.get();
  }

  static int unauthorized() {
    return UNAUTHORIZED.get();
  }

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::answer);
    server.start();
    return Map.of(
        "backfill.tenants.source",
        "gateway",
        "backfill.graph.connections.source",
        "gateway",
        "backfill.graph.connections.service-token",
        SERVICE_TOKEN,
        // Long enough that one test never sees an entry expire.
        "backfill.graph.connections.cache-ttl",
        "10m",
        "quarkus.rest-client.backfill-gateway.url",
        "http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!"GET".equals(exchange.getRequestMethod()) || !path.startsWith(PREFIX)) {
        send(exchange, 404, "application/problem+json", "{\"status\":404}");
        return;
      }
      if (!("Bearer " + SERVICE_TOKEN)
          .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        UNAUTHORIZED.incrementAndGet();
        send(exchange, 401, "application/problem+json", "{\"status\":401}");
        return;
      }
      if (!path.endsWith(SUFFIX)) {
        answerRegistry(exchange, path.substring(PREFIX.length()));
        return;
      }
      String tenant = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
      CALLS.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
      String connection = CONNECTIONS.get(tenant);
      if (connection == null) {
        send(
            exchange,
            404,
            "application/problem+json",
            "{\"type\":\"no-graph-connection\",\"title\":\"No Graph connection\",\"status\":404}");
      } else {
        send(exchange, 200, "application/json", connection);
      }
    }
  }

  private static void answerRegistry(HttpExchange exchange, String tenant) throws IOException {
    AtomicInteger failures = REGISTRY_FAILURES.get(tenant);
    if (failures != null && failures.getAndDecrement() > 0) {
      send(exchange, 503, "application/problem+json", "{\"status\":503}");
      return;
    }
    String status = STATUSES.get(tenant);
    if (status == null) {
      send(
          exchange,
          404,
          "application/problem+json",
          "{\"type\":\"unknown-tenant\",\"title\":\"Unknown tenant\",\"status\":404}");
    } else {
      send(
          exchange,
          200,
          "application/json",
          "{\"tenantId\":\"" + tenant + "\",\"status\":\"" + status + "\"}");
    }
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
