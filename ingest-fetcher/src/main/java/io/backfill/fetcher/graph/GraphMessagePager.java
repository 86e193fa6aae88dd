package io.backfill.fetcher.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.RemovedMessage;
import io.backfill.contracts.retry.Backoff;
import io.backfill.fetcher.config.GraphConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Pages a mailbox's messages from Microsoft Graph (ARCHITECTURE §5): the first page's URL is built
 * here, later pages follow {@code @odata.nextLink} verbatim. Each request gets a token, a mailbox
 * slot, connect and read timeouts, and the retry rules: 429 waits {@code Retry-After}; 500/502/503/
 * 504, timeouts and resets back off with full jitter, bounded; 401 renews the token once; any other
 * status fails as {@link GraphRequestRejected} with Graph's code and message.
 *
 * <p>HTTP goes through the JDK client rather than a MicroProfile REST client: the next link is an
 * opaque absolute URL that must be sent exactly as Graph wrote it (decision 0010).
 */
@ApplicationScoped
public class GraphMessagePager {

  private static final Logger LOG = Logger.getLogger(GraphMessagePager.class);
  private static final String PREFER_TEXT = "outlook.body-content-type=\"text\"";
  private static final String PREFER_PAGE = "odata.maxpagesize=100";
  // Graph reads each comma-separated preference of one Prefer header.
  private static final String PREFER_DELTA = PREFER_TEXT + ", " + PREFER_PAGE;

  private final GraphConfig config;
  private final GraphTokens tokens;
  private final MailboxPermits permits;
  private final GraphMetrics metrics;
  private final ObjectMapper json;
  private final GraphPageReader reader;
  private final HttpClient http;

  GraphMessagePager(
      GraphConfig config,
      GraphTokens tokens,
      MailboxPermits permits,
      GraphMetrics metrics,
      ObjectMapper json) {
    this.config = config;
    this.tokens = tokens;
    this.permits = permits;
    this.metrics = metrics;
    this.json = json;
    this.reader = new GraphPageReader(json, config.maxBodyBytes());
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .build();
  }

  /**
   * The first page of a window, newest first. DateTimeOffset literals are unquoted: a quoted date
   * is a string, and Graph answers 400 "incompatible types" (LESSONS 20).
   */
  public String firstPageUrl(String mailbox, String folder, Instant from, Instant to) {
    String filter =
        "receivedDateTime ge "
            + DateTimeFormatter.ISO_INSTANT.format(from)
            + " and receivedDateTime lt "
            + DateTimeFormatter.ISO_INSTANT.format(to);
    String path =
        "/v1.0/users/"
            + encode(mailbox)
            + (folder == null || folder.isBlank() ? "" : "/mailFolders/" + encode(folder))
            + "/messages";
    return trimmedBase()
        + path
        + "?$top="
        + config.pageSize()
        + "&$select="
        + encode(GraphMessageMapper.SELECT)
        + "&$orderby="
        + encode("receivedDateTime desc")
        + "&$filter="
        + encode(filter);
  }

  /** One page, retried as the class comment says; waits happen in {@code waits}. */
  public GraphMessagePage fetch(String url, String tenantId, String mailbox, RetryWaits waits) {
    return reader.page(get(url, tenantId, mailbox, waits, PREFER_TEXT));
  }

  /**
   * The first page of a folder's messages delta (a fresh listing): mail received from {@code from}
   * on, the same properties and body as history, at most 100 entries a page. The folder's next and
   * delta links carry the query.
   */
  public String deltaFirstUrl(String mailbox, String folderId, Instant from) {
    return trimmedBase()
        + "/v1.0/users/"
        + encode(mailbox)
        + "/mailFolders/"
        + encode(folderId)
        + "/messages/delta?$select="
        + encode(GraphMessageMapper.SELECT)
        + "&$filter="
        + encode("receivedDateTime ge " + DateTimeFormatter.ISO_INSTANT.format(from));
  }

  /** The first page of the mailbox's folders delta (every folder). */
  public String foldersFirstUrl(String mailbox) {
    return trimmedBase() + "/v1.0/users/" + encode(mailbox) + "/mailFolders/delta";
  }

  /** The id of a folder named by a well-known name or its id. */
  public String folderId(String tenantId, String mailbox, String folder, RetryWaits waits) {
    String url =
        trimmedBase()
            + "/v1.0/users/"
            + encode(mailbox)
            + "/mailFolders/"
            + encode(folder)
            + "?$select=id";
    String id = reader.tree(get(url, tenantId, mailbox, waits, null)).path("id").asText(null);
    return id == null || id.isBlank() ? folder : id;
  }

  /**
   * One page of a folder's messages delta (a message named twice keeps its last entry). Throws
   * {@link GraphSyncStateExpired} on 410.
   */
  public DeltaPage fetchDelta(
      String url, String tenantId, String mailbox, String folderId, RetryWaits waits) {
    return reader.delta(get(url, tenantId, mailbox, waits, PREFER_DELTA), folderId);
  }

  /** One page of the mailbox's folders delta: folders present and folders removed. */
  public FolderPage fetchFolders(String url, String tenantId, String mailbox, RetryWaits waits) {
    return reader.folders(get(url, tenantId, mailbox, waits, PREFER_PAGE));
  }

  /** A GET retried as the class comment says; the 200 body, as Graph's UTF-8 bytes. */
  private byte[] get(String url, String tenantId, String mailbox, RetryWaits waits, String prefer) {
    URI uri = trusted(url);
    int retries = 0;
    boolean renewed = false;
    String token = tokens.accessToken(tenantId);
    while (true) {
      waits.requested();
      Answer answer = send(uri, mailbox, token, prefer);
      if (answer.status() == 200) {
        return answer.body();
      }
      if (answer.status() == 410) {
        GraphError error = error(answer);
        throw new GraphSyncStateExpired(error.code() + ": " + error.message());
      }
      RetryReason reason = answer.retryReason();
      if (reason == RetryReason.UNAUTHORIZED && !renewed) {
        renewed = true;
        metrics.retry(reason, Duration.ZERO);
        LOG.warnf(
            "Graph answered 401 for %s (%s): renewing the token once", mailbox, waits.describe());
        token = tokens.renew(tenantId, token);
        continue;
      }
      if (reason == null || reason == RetryReason.UNAUTHORIZED) {
        GraphError error = error(answer);
        throw new GraphRequestRejected(answer.status(), error.code(), error.message());
      }
      retries++;
      if (retries > config.maxRetries()) {
        throw new GraphUnavailable(
            "Graph request for "
                + mailbox
                + " still failing after "
                + config.maxRetries()
                + " retries, last: "
                + answer.describe(),
            answer.failure());
      }
      Duration wait = waitBefore(retries, reason, answer.retryAfter());
      metrics.retry(reason, wait);
      LOG.warnf(
          "Graph request for %s failed (%s); retry %d of %d in %d ms (%s)",
          mailbox,
          answer.describe(),
          retries,
          config.maxRetries(),
          wait.toMillis(),
          waits.describe());
      waits.backoff(wait, reason);
    }
  }

  /**
   * 429 waits what Graph asked (at most {@code max-retry-after}); the rest waits the project's
   * backoff: doubling from the initial backoff, capped, full jitter (uniform on [0, ceiling]).
   */
  Duration waitBefore(int retry, RetryReason reason, Duration retryAfter) {
    Backoff backoff =
        new Backoff(
            config.initialBackoff(), 2.0, config.maxBackoff(), config.maxRetries(), true, true);
    Duration wait = backoff.delay(retry, Optional.ofNullable(retryAfter));
    return wait.compareTo(config.maxRetryAfter()) > 0 ? config.maxRetryAfter() : wait;
  }

  private Answer send(URI uri, String mailbox, String token, String prefer) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .timeout(config.readTimeout())
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json");
    if (prefer != null) {
      builder.header("Prefer", prefer);
    }
    HttpRequest request = builder.GET().build();
    MailboxPermits.Slot slot;
    try {
      slot = permits.acquire(mailbox);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GraphUnavailable("interrupted while waiting for a slot of " + mailbox, e);
    }
    try (slot) {
      // Bytes, not a String: the JSON parser reads UTF-8 itself, and a page decoded to UTF-16
      // first cost a copy of every body and the slower Reader-based parser (JFR P2).
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      metrics.request(Integer.toString(response.statusCode()));
      return new Answer(
          response.statusCode(),
          response.body(),
          retryAfter(response.headers().firstValue("Retry-After").orElse(null)),
          null);
    } catch (HttpTimeoutException e) {
      metrics.request("timeout");
      return new Answer(-1, null, null, e);
    } catch (IOException e) {
      metrics.request("connection_error");
      return new Answer(-2, null, null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GraphUnavailable("interrupted during a Graph request for " + mailbox, e);
    }
  }

  /** A page of a folder's messages delta; exactly one of the links is set. */
  public record DeltaPage(
      List<MailMessage> messages,
      List<RemovedMessage> removals,
      String nextLink,
      String deltaLink) {}

  /** A page of the folders delta. */
  public record FolderPage(
      List<String> present,
      List<String> names,
      List<String> removed,
      String nextLink,
      String deltaLink) {}

  private GraphError error(Answer answer) {
    String body = answer.text();
    try {
      JsonNode error = json.readTree(body == null ? "{}" : body).path("error");
      return new GraphError(
          error.path("code").asText("HTTP" + answer.status()), error.path("message").asText(body));
    } catch (IOException e) {
      return new GraphError("HTTP" + answer.status(), body);
    }
  }

  /** Tokens go only to the configured Graph: a next link elsewhere is refused, not followed. */
  private URI trusted(String url) {
    if (!url.startsWith(trimmedBase() + "/")) {
      throw new GraphRequestRejected(
          0, "UntrustedNextLink", "next link " + url + " is not under " + trimmedBase());
    }
    return URI.create(url);
  }

  private String trimmedBase() {
    String base = config.baseUrl();
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  private static Duration retryAfter(String header) {
    if (header == null) {
      return null;
    }
    try {
      return Duration.ofSeconds(Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      // Graph sends seconds; an HTTP date or garbage falls back to our own backoff.
      return null;
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private record GraphError(String code, String message) {}

  /** What one request got: a status (or -1 timeout, -2 connection error), its body and headers. */
  private record Answer(int status, byte[] body, Duration retryAfter, Exception failure) {

    /** The body as text, for errors; null when there was no answer. */
    String text() {
      return body == null ? null : new String(body, StandardCharsets.UTF_8);
    }

    RetryReason retryReason() {
      return switch (status) {
        case -1 -> RetryReason.TIMEOUT;
        case -2 -> RetryReason.CONNECTION;
        case 401 -> RetryReason.UNAUTHORIZED;
        case 429 -> RetryReason.THROTTLED;
        case 504 -> RetryReason.GATEWAY_TIMEOUT;
        case 500, 502, 503 -> RetryReason.UNAVAILABLE;
        default -> null;
      };
    }

    String describe() {
      return switch (status) {
        case -1 -> "no answer within the read timeout";
        case -2 -> "connection failed: " + failure.getMessage();
        default -> "HTTP " + status;
      };
    }
  }
}
