package io.backfill.cli.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.backfill.contracts.serde.EventJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Calls one gateway with one bearer token (a tenant's API key or the admin token). Every call has a
 * timeout: connecting and waiting for the answer each take at most {@code timeout}; an event stream
 * waits that long for its headers, then as long as the stream lasts.
 */
public final class GatewayClient {

  private static final ObjectMapper JSON = EventJson.mapper();

  private final URI base;
  private final String token;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param base the gateway's base URL, e.g. {@code http://127.0.0.1:8080}
   * @param token the bearer token, or null for the endpoints that need none
   */
  public GatewayClient(URI base, String token, Duration timeout) {
    this.base = base;
    this.token = token;
    this.timeout = timeout;
    // HTTP/1.1: no h2c upgrade dance, and an event stream stays one plain response.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The gateway's answer to a successful call: its status and JSON body (NullNode if none). */
  public record Answer(int status, JsonNode body) {}

  public URI base() {
    return base;
  }

  public JsonNode get(String path) {
    return send("GET", path, HttpRequest.BodyPublishers.noBody(), Map.of()).body();
  }

  /** POSTs {@code body} as JSON, or nothing when it is null. */
  public Answer post(String path, JsonNode body, Map<String, String> headers) {
    return send(
        "POST", path, body == null ? HttpRequest.BodyPublishers.noBody() : json(body), headers);
  }

  public Answer put(String path, JsonNode body) {
    return send("PUT", path, json(body), Map.of());
  }

  public Answer delete(String path) {
    return send("DELETE", path, HttpRequest.BodyPublishers.noBody(), Map.of());
  }

  /**
   * Opens a Server-Sent Events stream and returns its lines; the caller closes the stream. A stream
   * that the gateway refuses (404, 401…) fails here, with the gateway's problem.
   */
  public Stream<String> eventLines(String path) {
    HttpRequest request =
        request(path).header("Accept", "text/event-stream").GET().timeout(timeout).build();
    HttpResponse<Stream<String>> response = exchange(request, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      String body;
      try (Stream<String> lines = response.body()) {
        body = lines.collect(Collectors.joining("\n"));
      }
      throw GatewayException.answered(
          "GET", request.uri().toString(), Problem.from(response.statusCode(), parse(body)));
    }
    return response.body();
  }

  private Answer send(
      String method, String path, HttpRequest.BodyPublisher body, Map<String, String> headers) {
    HttpRequest.Builder builder =
        request(path)
            .method(method, body)
            .header("Accept", "application/json, application/problem+json")
            .timeout(timeout);
    if (body.contentLength() != 0) {
      builder.header("Content-Type", "application/json");
    }
    headers.forEach(builder::header);
    HttpRequest request = builder.build();
    HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
    JsonNode parsed = parse(response.body());
    if (response.statusCode() / 100 != 2) {
      throw GatewayException.answered(
          method, request.uri().toString(), Problem.from(response.statusCode(), parsed));
    }
    return new Answer(response.statusCode(), parsed);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    String url = request.uri().toString();
    try {
      return http.send(request, handler);
    } catch (HttpConnectTimeoutException e) {
      throw GatewayException.unreachable(url, "no connection within " + seconds(timeout), e);
    } catch (HttpTimeoutException e) {
      throw GatewayException.unreachable(url, "no answer within " + seconds(timeout), e);
    } catch (ConnectException e) {
      throw GatewayException.unreachable(url, "connection refused", e);
    } catch (IOException e) {
      throw GatewayException.unreachable(url, rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw GatewayException.unreachable(url, "interrupted", e);
    }
  }

  private static HttpRequest.BodyPublisher json(JsonNode body) {
    try {
      return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write the request body", e);
    }
  }

  /** The body as JSON; NullNode when empty or not JSON (an HTML error page, say). */
  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return NullNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return NullNode.getInstance();
    }
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + "s"
        : duration.toMillis() + "ms";
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
