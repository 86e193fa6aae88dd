package io.backfill.fetcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A real HTTP server answering what the verified-domains check needs of Entra ID and Graph, in
 * their shapes: the client-credentials token of {@code /<directoryId>/oauth2/v2.0/token} (a token
 * naming its directory), {@code GET /v1.0/organization?$select=verifiedDomains} answered with the
 * domains of the token's directory, and an empty message page for any mailbox. It records every
 * mailbox whose messages were asked for.
 */
public class DirectoryStandIn implements QuarkusTestResourceLifecycleManager {

  private static final Map<String, List<String>> DOMAINS = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> ORGANIZATION_CALLS = new ConcurrentHashMap<>();
  private static final List<String> FETCHED = new CopyOnWriteArrayList<>();
  private HttpServer server;

  /** The directory's verified domains, as Graph lists them. */
  static void directory(String directoryId, String... domains) {
    DOMAINS.put(directoryId, List.of(domains));
  }

  static int organizationCalls(String directoryId) {
    AtomicInteger calls = ORGANIZATION_CALLS.get(directoryId);
    return calls == null ? 0 : calls.get();
  }

  /** Mailboxes (lower case) whose messages the fetcher asked for. */
  static List<String> fetched() {
    return List.copyOf(FETCHED);
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
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    return Map.of(
        "backfill.graph.base-url",
        url,
        "backfill.graph.connections.login-url",
        url,
        "backfill.graph.verified-domains.enabled",
        "true",
        "backfill.fetcher.start-accepted-jobs",
        "true");
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (path.endsWith("/oauth2/v2.0/token")) {
        String directory = path.substring(1, path.indexOf('/', 1));
        send(
            exchange,
            200,
            "{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"token-of-"
                + directory
                + "\"}");
        return;
      }
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (authorization == null || !authorization.startsWith("Bearer token-of-")) {
        send(exchange, 401, "{\"error\":{\"code\":\"InvalidAuthenticationToken\"}}");
        return;
      }
      String directory = authorization.substring("Bearer token-of-".length());
      if (path.equals("/v1.0/organization")) {
        ORGANIZATION_CALLS.computeIfAbsent(directory, d -> new AtomicInteger()).incrementAndGet();
        String domains =
            DOMAINS.getOrDefault(directory, List.of()).stream()
                .map(d -> "{\"name\":\"" + d + "\",\"isDefault\":false,\"isInitial\":false}")
                .collect(Collectors.joining(","));
        send(
            exchange,
            200,
            "{\"value\":[{\"id\":\"" + directory + "\",\"verifiedDomains\":[" + domains + "]}]}");
        return;
      }
      if (path.startsWith("/v1.0/users/") && path.endsWith("/messages")) {
        String mailbox =
            path.substring("/v1.0/users/".length(), path.length() - "/messages".length());
        FETCHED.add(URLDecoder.decode(mailbox, StandardCharsets.UTF_8).toLowerCase());
        send(exchange, 200, "{\"value\":[]}");
        return;
      }
      send(exchange, 404, "{\"error\":{\"code\":\"ResourceNotFound\"}}");
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
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
