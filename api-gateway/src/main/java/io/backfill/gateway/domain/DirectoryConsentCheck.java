package io.backfill.gateway.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.serde.EventJson;
import io.backfill.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Proves that a directory consented to the operator's app: Microsoft issues the app a
 * client-credentials token for a directory only once an admin of that directory consented to it.
 * The token is discarded unread; the client secret goes only into the request body, never into a
 * log line or an answer.
 */
@ApplicationScoped
public class DirectoryConsentCheck {

  /** More than any token or error answer of the identity platform; the rest is not read. */
  static final int MAX_ANSWER_BYTES = 64 * 1024;

  private static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";
  private static final Pattern AADSTS = Pattern.compile("AADSTS\\d{1,9}");
  private static final Pattern ERROR_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** What the token endpoint said about the directory. */
  public enum Verdict {
    /** A token was issued: the directory consented to the app. */
    CONSENTED,
    /** Refused (400 or 401): the directory did not consent, or no longer does. */
    NOT_CONSENTED,
    /** No usable answer (unreachable, timeout, 5xx, anything else): nothing is known. */
    UNVERIFIABLE
  }

  /**
   * The verdict and why: the AADSTS code (or the OAuth {@code error}) of a refusal, the status or
   * failure of an unverifiable call. Never contains the secret or a token.
   */
  public record Result(Verdict verdict, String reason) {}

  private final GatewayConfig config;
  private final HttpClient http;

  DirectoryConsentCheck(GatewayConfig config) {
    this.config = config;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.graph().tokenConnectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Asks the token endpoint of {@code directoryId} (a normalised id, see {@link
   * GraphDirectories#normalise}) for a token of the app {@code clientId}.
   */
  public Result check(String directoryId, String clientId, String clientSecret) {
    String loginUrl = config.graph().loginUrl().replaceAll("/+$", "");
    URI uri = URI.create(loginUrl + "/" + directoryId + "/oauth2/v2.0/token");
    String form =
        "grant_type=client_credentials&client_id="
            + encode(clientId)
            + "&client_secret="
            + encode(clientSecret)
            + "&scope="
            + encode(GRAPH_SCOPE);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(config.graph().tokenReadTimeout())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    int status;
    byte[] body;
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      status = response.statusCode();
      try (InputStream in = response.body()) {
        // A token answer is not read at all: the status alone proves the consent.
        body = status == 200 ? new byte[0] : in.readNBytes(MAX_ANSWER_BYTES);
      }
    } catch (IOException | RuntimeException e) {
      // The JDK client's messages name the URI or the failure, never the request body.
      return new Result(Verdict.UNVERIFIABLE, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(Verdict.UNVERIFIABLE, "interrupted");
    }
    if (status == 200) {
      return new Result(Verdict.CONSENTED, "token issued");
    }
    if (status == 400 || status == 401) {
      return new Result(Verdict.NOT_CONSENTED, refusalCode(status, body));
    }
    return new Result(Verdict.UNVERIFIABLE, "HTTP " + status);
  }

  /**
   * The AADSTS code of a refusal ({@code error_codes[0]}, else the first in {@code
   * error_description}), else its OAuth {@code error}, else the status.
   */
  static String refusalCode(int status, byte[] body) {
    JsonNode answer;
    try {
      answer = EventJson.mapper().readTree(body);
    } catch (IOException e) {
      return "HTTP " + status;
    }
    if (answer == null || !answer.isObject()) {
      return "HTTP " + status;
    }
    JsonNode codes = answer.path("error_codes");
    if (codes.isArray() && codes.path(0).isIntegralNumber() && codes.path(0).asLong() > 0) {
      return "AADSTS" + codes.get(0).asLong();
    }
    Matcher code = AADSTS.matcher(answer.path("error_description").asText(""));
    if (code.find()) {
      return code.group();
    }
    String error = answer.path("error").asText("");
    return ERROR_NAME.matcher(error).matches() ? error : "HTTP " + status;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
