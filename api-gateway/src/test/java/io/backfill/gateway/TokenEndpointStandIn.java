package io.backfill.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server answering the identity platform's {@code POST /{directory}/oauth2/v2.0/token}
 * for the gateway's consent check as Entra does: a token for the operator's app (the %test
 * profile's id and secret, else 401 AADSTS7000215) in a directory marked consented, 400 {@code
 * unauthorized_client} AADSTS700016 in any other. A directory can also be marked as having
 * withdrawn its consent, failing (503), dropping the connection or hanging (no answer until {@link
 * #releaseHanging()}). The gateway's {@code login-url} points here.
 */
public class TokenEndpointStandIn implements QuarkusTestResourceLifecycleManager {

  static final String CLIENT_ID = "00000000-0000-0000-0000-00000000c0de";
  static final String CLIENT_SECRET = "test-operator-app-secret";
  private static final String SUFFIX = "/oauth2/v2.0/token";

  /** How the token endpoint treats one directory. */
  enum Behaviour {
    CONSENTED,
    /** Consent withdrawn: 400 invalid_grant AADSTS65001. */
    WITHDRAWN,
    /** 503. */
    FAILING,
    /** The connection closed without an answer. */
    DROPPING,
    /** No answer until released. */
    HANGING
  }

  private static final Map<String, Behaviour> DIRECTORIES = new ConcurrentHashMap<>();
  private static final List<Map<String, String>> REQUESTS = new CopyOnWriteArrayList<>();
  private static volatile CountDownLatch hanging = new CountDownLatch(1);
  private static volatile String url;
  private HttpServer server;
  private ExecutorService threads;

  /** An admin of the directory consented to the operator's app. */
  static void consented(String directory) {
    DIRECTORIES.put(directory.toLowerCase(), Behaviour.CONSENTED);
  }

  static void behaves(String directory, Behaviour behaviour) {
    DIRECTORIES.put(directory.toLowerCase(), behaviour);
  }

  /** Lets every hanging request end (with a 503 the gateway no longer waits for). */
  static void releaseHanging() {
    hanging.countDown();
    hanging = new CountDownLatch(1);
  }

  /** Every token request so far: its directory and form fields. */
  static List<Map<String, String>> requestsFor(String directory) {
    return REQUESTS.stream().filter(r -> directory.equalsIgnoreCase(r.get("directory"))).toList();
  }

  /** The login URL the gateway is configured with. */
  static String url() {
    return url;
  }

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Several threads, so that a hanging request does not hold up the others.
    threads = Executors.newFixedThreadPool(4);
    server.setExecutor(threads);
    server.createContext("/", this::answer);
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
    return Map.of("backfill.gateway.graph.login-url", url);
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!"POST".equals(exchange.getRequestMethod()) || !path.endsWith(SUFFIX)) {
        send(exchange, 404, "{\"error\":\"not_found\"}");
        return;
      }
      String directory = path.substring(1, path.length() - SUFFIX.length()).toLowerCase();
      Map<String, String> form =
          form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      Map<String, String> request = new HashMap<>(form);
      request.put("directory", directory);
      REQUESTS.add(Map.copyOf(request));
      Behaviour behaviour = DIRECTORIES.get(directory);
      if (behaviour == Behaviour.FAILING) {
        send(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
        return;
      }
      if (behaviour == Behaviour.DROPPING) {
        // Closing the exchange before any answer ends the connection without a response.
        return;
      }
      if (behaviour == Behaviour.HANGING) {
        try {
          hanging.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        send(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
        return;
      }
      if (!CLIENT_ID.equals(form.get("client_id"))) {
        send(exchange, 400, refusal("unauthorized_client", 700016, "Application not found."));
      } else if (behaviour == Behaviour.WITHDRAWN) {
        send(
            exchange,
            400,
            refusal(
                "invalid_grant",
                65001,
                "The user or administrator has not consented to use the application with ID '"
                    + CLIENT_ID
                    + "'."));
      } else if (behaviour != Behaviour.CONSENTED) {
        send(
            exchange,
            400,
            refusal(
                "unauthorized_client",
                700016,
                "Application with identifier '"
                    + CLIENT_ID
                    + "' was not found in the directory '"
                    + directory
                    + "'."));
      } else if (!CLIENT_SECRET.equals(form.get("client_secret"))
          || !"client_credentials".equals(form.get("grant_type"))
          || !"https://graph.microsoft.com/.default".equals(form.get("scope"))) {
        send(exchange, 401, refusal("invalid_client", 7000215, "Invalid client secret provided."));
      } else {
        send(
            exchange,
            200,
            "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,"
                + "\"access_token\":\"stand-in-token-"
                + directory
                + "\"}");
      }
    }
  }

  private static String refusal(String error, int code, String description) {
    return "{\"error\":\""
        + error
        + "\",\"error_description\":\"AADSTS"
        + code
        + ": "
        + description
        + "\",\"error_codes\":["
        + code
        + "]}";
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return fields;
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void stop() {
    releaseHanging();
    if (server != null) {
      server.stop(0);
      server = null;
    }
    if (threads != null) {
      threads.shutdownNow();
      threads = null;
    }
  }
}
