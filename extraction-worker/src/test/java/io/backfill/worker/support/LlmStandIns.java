package io.backfill.worker.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.backfill.testkit.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * What the worker's LLM phase talks to, over real HTTP: the outlook-simulator's chat completions as
 * its own process (its runnable jar), with one model per fault mode, and a stand-in for the
 * gateway's {@code GET /internal/v1/tenants/{t}/llm-credentials} (service token, 404 problem+json
 * for a tenant without a key) that counts what it was asked ({@code GET /counts}).
 *
 * <p>Each test tenant is routed to its own model, so a fault rule hits only its test.
 */
public class LlmStandIns implements QuarkusTestResourceLifecycleManager {

  public static final String SERVICE_TOKEN = "test-service-token";

  /** Tenant → model route (primary, fallback). Tenants not here use the default route. */
  public static final Map<String, String> ROUTES = new LinkedHashMap<>();

  /** Simulator model → fault rule options. */
  public static final Map<String, String> FAULTS = new LinkedHashMap<>();

  static {
    ROUTES.put("t-empty", "m-empty,gpt-4o-mini");
    ROUTES.put("t-null", "m-null,gpt-4.1-mini");
    ROUTES.put("t-fenced", "m-fenced");
    ROUTES.put("t-truncated", "m-truncated");
    ROUTES.put("t-schema", "m-schema");
    ROUTES.put("t-throttle", "m-throttle");
    ROUTES.put("t-500", "m-500");
    ROUTES.put("t-500-always", "m-500-always");
    ROUTES.put("t-hang", "m-hang");
    ROUTES.put("t-slow", "m-slow");
    ROUTES.put("t-reasoning", "o3-mini,gpt-4o-mini");
    ROUTES.put("t-sequential", "m-latency");
    FAULTS.put("m-empty", "empty-content");
    FAULTS.put("m-null", "null-content");
    FAULTS.put("m-fenced", "fenced-json");
    FAULTS.put("m-truncated", "truncated-json");
    FAULTS.put("m-schema", "schema-violation");
    FAULTS.put("m-throttle", "throttle;times=2;retry-after=1");
    FAULTS.put("m-500", "server-error;times=1");
    FAULTS.put("m-500-always", "server-error");
    FAULTS.put("m-hang", "hang");
    FAULTS.put("m-slow", "latency;latency=2000ms");
    FAULTS.put("m-latency", "latency;latency=300ms");
  }

  /** Tenants the gateway has a key for (the simulator knows it), besides those routed above. */
  public static final String DEFAULT_TENANT = "t-default";

  /** A tenant whose key the gateway hands out but the LLM does not accept. */
  public static final String BAD_KEY_TENANT = "t-badkey";

  /** A tenant the gateway cannot answer for (503). */
  public static final String GATEWAY_FAILS_TENANT = "t-gateway-fails";

  /**
   * A tenant whose key names a base URL of its own: a proxy in front of the simulator that counts
   * how many of its calls were in flight at once ({@code GET /llm-proxy/peak} on the gateway
   * stand-in).
   */
  public static final String COUNTED_TENANT = "t-sequential";

  /** A tenant without a key. */
  public static final String NO_KEY_TENANT = "t-nokey";

  public static String keyOf(String tenant) {
    return "sk-sim-" + tenant;
  }

  private ServiceProcess simulator;
  private HttpServer gateway;
  private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
  private final AtomicInteger proxyInFlight = new AtomicInteger();
  private final AtomicInteger proxyPeak = new AtomicInteger();
  private final HttpClient proxyClient =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public Map<String, String> start() {
    Map<String, String> keys = new HashMap<>();
    ROUTES.keySet().forEach(t -> keys.put(t, keyOf(t)));
    keys.put(DEFAULT_TENANT, keyOf(DEFAULT_TENANT));

    Map<String, String> sim = new HashMap<>();
    sim.put("backfill.simulator.mailbox-end", "2026-01-01T00:00:00Z");
    sim.put(
        "backfill.simulator.llm.models",
        "gpt-4o-mini,gpt-4.1-mini,o3-mini,o4-mini," + String.join(",", FAULTS.keySet()));
    sim.put(
        "backfill.simulator.faults",
        FAULTS.entrySet().stream()
            .map(e -> e.getKey() + ":" + e.getValue())
            .collect(Collectors.joining(",")));
    keys.forEach((tenant, key) -> sim.put("backfill.simulator.llm.keys." + tenant, key));
    simulator = ServiceProcess.start("outlook-simulator", sim);

    Map<String, String> gatewayKeys = new HashMap<>(keys);
    gatewayKeys.put(BAD_KEY_TENANT, "sk-revoked-0000000000");
    gateway = credentialsStandIn(gatewayKeys);

    Map<String, String> config = new HashMap<>();
    config.put("backfill.test.simulator-url", simulator.baseUrl());
    String gatewayUrl = "http://127.0.0.1:" + gateway.getAddress().getPort();
    config.put("backfill.test.gateway-url", gatewayUrl);
    config.put("backfill.worker.credentials.gateway-url", gatewayUrl);
    config.put("backfill.worker.credentials.service-token", SERVICE_TOKEN);
    config.put("backfill.worker.credentials.timeout", "5s");
    config.put("backfill.worker.llm.base-url", simulator.baseUrl() + "/v1");
    ROUTES.forEach((t, r) -> config.put("backfill.worker.llm.tenant-models." + t, r));
    // Small bounds so that the fault tests take seconds; the hang ends at the LLM deadline.
    config.put("backfill.worker.llm.call-timeout", "10s");
    config.put("backfill.worker.llm.max-retries", "2");
    config.put("backfill.worker.llm.initial-backoff", "100ms");
    config.put("backfill.worker.llm.max-backoff", "2s");
    config.put("backfill.worker.llm.max-concurrent-calls", "2");
    config.put("backfill.worker.llm.chunk-deadline", "25s");
    config.put("backfill.worker.llm.reserve", "5s");
    config.put("backfill.worker.chunk-deadline", "45s");
    return config;
  }

  @Override
  public void stop() {
    if (gateway != null) {
      gateway.stop(0);
    }
    if (simulator != null) {
      simulator.close();
    }
  }

  private HttpServer credentialsStandIn(Map<String, String> keys) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      // Enough threads that the proxy never makes calls wait for one another.
      server.setExecutor(Executors.newFixedThreadPool(16));
      server.createContext(
          "/internal/v1/tenants/",
          exchange -> {
            String path = exchange.getRequestURI().getPath();
            String[] parts = path.split("/");
            // /internal/v1/tenants/{t}/llm-credentials
            if (parts.length != 6 || !parts[5].equals("llm-credentials")) {
              reply(exchange, 404, "application/problem+json", "{\"status\":404}");
              return;
            }
            String tenant = parts[4];
            asked.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer " + SERVICE_TOKEN).equals(auth)) {
              reply(exchange, 401, "application/problem+json", "{\"status\":401}");
              return;
            }
            if (tenant.equals(GATEWAY_FAILS_TENANT)) {
              reply(exchange, 503, "application/problem+json", "{\"status\":503}");
              return;
            }
            String key = keys.get(tenant);
            String baseUrl =
                tenant.equals(COUNTED_TENANT)
                    ? "\"http://127.0.0.1:" + gateway.getAddress().getPort() + "/llm-proxy/v1\""
                    : "null";
            if (key == null) {
              reply(
                  exchange,
                  404,
                  "application/problem+json",
                  "{\"type\":\"no-llm-key\",\"title\":\"No LLM key\",\"status\":404}");
              return;
            }
            reply(
                exchange,
                200,
                "application/json",
                "{\"tenantId\":\""
                    + tenant
                    + "\",\"apiKey\":\""
                    + key
                    + "\",\"baseUrl\":"
                    + baseUrl
                    + "}");
          });
      server.createContext("/llm-proxy/v1/", this::proxy);
      server.createContext(
          "/llm-proxy/peak",
          exchange -> reply(exchange, 200, "application/json", String.valueOf(proxyPeak.get())));
      server.createContext(
          "/counts",
          exchange ->
              reply(
                  exchange,
                  200,
                  "application/json",
                  asked.entrySet().stream()
                      .map(e -> "\"" + e.getKey() + "\":" + e.getValue().get())
                      .collect(Collectors.joining(",", "{", "}"))));
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the credentials stand-in", e);
    }
  }

  /** Forwards a chat completion to the simulator, counting the calls in flight at once. */
  private void proxy(HttpExchange exchange) throws IOException {
    int now = proxyInFlight.incrementAndGet();
    proxyPeak.accumulateAndGet(now, Math::max);
    try {
      String path = exchange.getRequestURI().getPath().substring("/llm-proxy".length());
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .header("Authorization", exchange.getRequestHeaders().getFirst("Authorization"))
              .POST(
                  HttpRequest.BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes()))
              .build();
      HttpResponse<String> response =
          proxyClient.send(request, HttpResponse.BodyHandlers.ofString());
      reply(exchange, response.statusCode(), "application/json", response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply(exchange, 502, "application/json", "{\"error\":{\"message\":\"proxy interrupted\"}}");
    } finally {
      proxyInFlight.decrementAndGet();
    }
  }

  private static void reply(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
