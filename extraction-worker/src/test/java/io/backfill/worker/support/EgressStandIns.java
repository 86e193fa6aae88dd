package io.backfill.worker.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the egress tests talk to: a stand-in for the gateway's credentials endpoint handing each
 * tenant its key and base URL, an LLM that refuses every key with a 401 echoing it (as OpenAI's
 * "Incorrect API key provided: sk-…" does), an LLM that answers 307 to a second server, and that
 * second server, which counts every request it gets. {@code GET /hits} on the stand-in answers
 * {@code {"llm": n, "target": m}}: requests the stand-in LLMs and the redirect's target got (over
 * HTTP, as the test and its resource may not share a class loader). Its URL is {@code
 * backfill.test.egress-url}.
 */
public class EgressStandIns implements QuarkusTestResourceLifecycleManager {

  public static final String SERVICE_TOKEN = "egress-service-token";

  /** Distinctive, so that any copy of the key anywhere is found. */
  public static final String MARKER = "MARKER" + UUID.randomUUID().toString().replace("-", "");

  /** The refused key: a project key carrying the marker. */
  public static final String ECHOED_KEY = "sk-proj-" + MARKER + "x9";

  public static final String ECHO_TENANT = "t-echo";
  public static final String REDIRECT_TENANT = "t-redirect";
  public static final String METADATA_TENANT = "t-metadata";
  public static final String PRIVATE_TENANT = "t-private";
  public static final String USERINFO_TENANT = "t-userinfo";

  private final AtomicInteger redirectTargetHits = new AtomicInteger();
  private final AtomicInteger llmHits = new AtomicInteger();

  private HttpServer server;
  private HttpServer redirectTarget;

  @Override
  public Map<String, String> start() {
    redirectTarget = start(0);
    redirectTarget.createContext(
        "/",
        exchange -> {
          redirectTargetHits.incrementAndGet();
          reply(exchange, 200, "{}");
        });
    redirectTarget.start();

    server = start(0);
    String self = "http://127.0.0.1:" + server.getAddress().getPort();
    String target = "http://127.0.0.1:" + redirectTarget.getAddress().getPort();
    Map<String, String[]> tenants = new HashMap<>();
    tenants.put(ECHO_TENANT, new String[] {ECHOED_KEY, self + "/refusing/v1"});
    tenants.put(REDIRECT_TENANT, new String[] {"sk-test-redirect", self + "/redirecting/v1"});
    tenants.put(METADATA_TENANT, new String[] {"sk-test-meta", "https://169.254.169.254/v1"});
    tenants.put(PRIVATE_TENANT, new String[] {"sk-test-private", "https://10.255.255.1/v1"});
    tenants.put(
        USERINFO_TENANT,
        new String[] {"sk-test-userinfo", "https://api.openai.com@127.0.0.1:" + port() + "/v1"});
    server.createContext(
        "/internal/v1/tenants/",
        exchange -> {
          String[] parts = exchange.getRequestURI().getPath().split("/");
          String[] credentials = parts.length == 6 ? tenants.get(parts[4]) : null;
          if (!("Bearer " + SERVICE_TOKEN)
              .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            reply(exchange, 401, "{\"status\":401}");
          } else if (credentials == null) {
            reply(exchange, 404, "{\"status\":404}");
          } else {
            reply(
                exchange,
                200,
                "{\"tenantId\":\"%s\",\"apiKey\":\"%s\",\"baseUrl\":\"%s\"}"
                    .formatted(parts[4], credentials[0], credentials[1]));
          }
        });
    server.createContext(
        "/refusing/v1/chat/completions",
        exchange -> {
          llmHits.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          String key = exchange.getRequestHeaders().getFirst("Authorization").substring(7);
          reply(
              exchange,
              401,
              "{\"error\":{\"message\":\"Incorrect API key provided: "
                  + key
                  + ". You can find your API key at https://platform.openai.com/account/api-keys."
                  + " (key "
                  + key
                  + ")\",\"type\":\"invalid_request_error\",\"param\":null,"
                  + "\"code\":\"invalid_api_key\"}}");
        });
    server.createContext(
        "/redirecting/v1/chat/completions",
        exchange -> {
          llmHits.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Location", target + "/v1/chat/completions");
          reply(exchange, 307, "");
        });
    server.createContext(
        "/hits",
        exchange ->
            reply(
                exchange,
                200,
                "{\"llm\":%d,\"target\":%d}".formatted(llmHits.get(), redirectTargetHits.get())));
    server.start();

    Map<String, String> config = new HashMap<>();
    config.put("backfill.test.egress-url", self);
    config.put("backfill.worker.credentials.gateway-url", self);
    config.put("backfill.worker.credentials.service-token", SERVICE_TOKEN);
    config.put("backfill.worker.credentials.timeout", "5s");
    config.put("backfill.worker.llm.call-timeout", "5s");
    config.put("backfill.worker.llm.max-retries", "1");
    config.put("backfill.worker.llm.initial-backoff", "100ms");
    config.put("backfill.worker.llm.max-concurrent-calls", "2");
    config.put("backfill.worker.llm.chunk-deadline", "20s");
    config.put("backfill.worker.llm.reserve", "5s");
    return config;
  }

  private int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
    if (redirectTarget != null) {
      redirectTarget.stop(0);
    }
  }

  private static HttpServer start(int port) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
      server.setExecutor(Executors.newFixedThreadPool(4));
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start a stand-in", e);
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
