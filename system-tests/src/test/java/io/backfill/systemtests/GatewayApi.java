package io.backfill.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.stack.StackConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** The api-gateway's REST API as a tenant and as the operator use it, over real HTTP. */
final class GatewayApi {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final String baseUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  GatewayApi(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /**
   * Creates a tenant with the admin token and binds it to the stack's Graph directory (which
   * consented to the operator's app); returns its API key.
   */
  String createTenant(String adminToken, String tenantId) {
    String apiKey = createUnboundTenant(adminToken, tenantId);
    send(
        "PUT",
        "/api/v1/admin/tenants/" + tenantId + "/graph-directory",
        adminToken,
        Map.of("directoryId", StackConfig.GRAPH_DIRECTORY),
        204);
    return apiKey;
  }

  /** Creates a tenant with no Graph directory; returns its API key. */
  String createUnboundTenant(String adminToken, String tenantId) {
    JsonNode created =
        send("POST", "/api/v1/admin/tenants", adminToken, Map.of("tenantId", tenantId), 201);
    return created.path("apiKey").asText();
  }

  /** Stores a BYOK secret of the tenant the key belongs to. */
  void putSecret(String apiKey, String name, String value) {
    send("PUT", "/api/v1/tenant/secrets/" + name, apiKey, Map.of("value", value), 204);
  }

  /** Submits a backfill of the whole window; returns the jobId. */
  String submit(String apiKey, String mailbox, Instant from, Instant to) {
    HttpRequest request =
        request("/api/v1/backfills", apiKey)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", UUID.randomUUID().toString())
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    json(Map.of("mailbox", mailbox, "from", from.toString(), "to", to.toString()))))
            .build();
    return expect(request, 202).path("jobId").asText();
  }

  /** Submits a followed backfill from {@code from} on, a delta round every interval; its jobId. */
  String submitFollowing(
      String apiKey, String mailbox, Instant from, Instant to, int followIntervalSeconds) {
    HttpRequest request =
        request("/api/v1/backfills", apiKey)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", UUID.randomUUID().toString())
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    json(
                        Map.of(
                            "mailbox",
                            mailbox,
                            "from",
                            from.toString(),
                            "to",
                            to.toString(),
                            "follow",
                            true,
                            "followIntervalSeconds",
                            followIntervalSeconds))))
            .build();
    return expect(request, 202).path("jobId").asText();
  }

  /**
   * Submits a backfill with the given Idempotency-Key and returns the answer as it came (a retry
   * with the same key names the same job).
   */
  Answer submit(String apiKey, String idempotencyKey, String mailbox, Instant from, Instant to) {
    return call(
        "POST",
        "/api/v1/backfills",
        apiKey,
        Map.of("mailbox", mailbox, "from", from.toString(), "to", to.toString()),
        Map.of("Idempotency-Key", idempotencyKey));
  }

  /** Pauses, resumes or cancels a job ({@code command}: pause, resume, cancel). */
  Answer command(String apiKey, String jobId, String command) {
    return call("POST", "/api/v1/backfills/" + jobId + "/" + command, apiKey, null);
  }

  /** An answer as it came: status, body and the Location header (redirects are not followed). */
  record Answer(int status, String body, String location) {
    JsonNode json() {
      try {
        return body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }

  /** Any call to any URL, with a bearer token when one is given; nothing asserted. */
  Answer call(String method, String url, String token, Object body) {
    return call(method, url, token, body, Map.of());
  }

  /** Any call with extra headers. */
  Answer call(String method, String url, String token, Object body, Map<String, String> headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : baseUrl + url))
            .timeout(CALL_TIMEOUT)
            .header("Accept", "application/json");
    headers.forEach(builder::header);
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json(body)));
    }
    try {
      HttpResponse<String> response =
          http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          response.statusCode(),
          response.body(),
          response.headers().firstValue("Location").orElse(null));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted calling " + url, e);
    }
  }

  JsonNode status(String apiKey, String jobId) {
    return send("GET", "/api/v1/backfills/" + jobId, apiKey, null, 200);
  }

  private JsonNode send(String method, String path, String token, Object body, int expected) {
    HttpRequest.Builder builder = request(path, token);
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json(body)));
    }
    return expect(builder.build(), expected);
  }

  private HttpRequest.Builder request(String path, String token) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(CALL_TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }

  private JsonNode expect(HttpRequest request, int expected) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != expected) {
        throw new AssertionError(
            request.method()
                + " "
                + request.uri()
                + " answered "
                + response.statusCode()
                + " (expected "
                + expected
                + "): "
                + response.body());
      }
      return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted calling " + request.uri(), e);
    }
  }

  static String json(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
