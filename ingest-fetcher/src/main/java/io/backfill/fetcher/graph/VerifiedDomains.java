package io.backfill.fetcher.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.backfill.contracts.internal.GraphConnection;
import io.backfill.contracts.rules.Mailboxes;
import io.backfill.fetcher.config.GraphConfig;
import io.backfill.fetcher.config.VerifiedDomainsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Whether a mailbox belongs to the tenant's directory: its domain must be one of the directory's
 * verified domains ({@code GET /v1.0/organization?$select=verifiedDomains} with the tenant's own
 * token), cached per directory for {@code cache-ttl}. A mailbox given as a user id (GUID) passes:
 * Graph resolves user ids only inside the directory the token is for.
 *
 * <p>Graph not answering (timeout, 429, 5xx) is {@link DirectoryUnavailable}, retried by intake; a
 * refusal (401 after one renewal, 403 — e.g. the app lacks {@code Organization.Read.All} — or 400)
 * is {@link GraphRequestRejected}.
 */
@ApplicationScoped
public class VerifiedDomains {

  private static final Logger LOG = Logger.getLogger(VerifiedDomains.class);

  private final boolean enabled;
  private final GraphConfig graph;
  private final GraphConnections connections;
  private final GraphTokens tokens;
  private final ObjectMapper json;
  private final HttpClient http;
  private final Cache<String, Set<String>> domains;

  VerifiedDomains(
      VerifiedDomainsConfig config,
      GraphConfig graph,
      GraphConnections connections,
      GraphTokens tokens,
      ObjectMapper json) {
    this.enabled = config.enabled();
    this.graph = graph;
    this.connections = connections;
    this.tokens = tokens;
    this.json = json;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(graph.connectTimeout())
            .build();
    this.domains =
        Caffeine.newBuilder()
            .maximumSize(config.cacheSize())
            .expireAfterWrite(config.cacheTtl())
            .build();
  }

  /** True when the mailbox may be fetched with the tenant's connection (or the check is off). */
  public boolean inDirectoryOf(String tenantId, String mailbox) {
    if (!enabled || Mailboxes.isUserId(mailbox)) {
      return true;
    }
    String domain = mailbox.substring(mailbox.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    GraphConnection connection =
        connections
            .of(tenantId)
            .orElseThrow(
                () ->
                    new GraphRequestRejected(
                        0, "UnknownTenant", "tenant " + tenantId + " has no Graph connection"));
    String directory = connection.isConfigured() ? "(configured)" : connection.directoryId();
    return domains.get(directory, d -> ask(tenantId, d)).contains(domain);
  }

  private Set<String> ask(String tenantId, String directory) {
    String token = tokens.accessToken(tenantId);
    HttpResponse<String> response = send(token, directory);
    if (response.statusCode() == 401) {
      response = send(tokens.renew(tenantId, token), directory);
    }
    int status = response.statusCode();
    if (status == 200) {
      Set<String> names = names(response.body(), directory);
      LOG.infof("directory %s has verified domains %s", directory, names);
      return names;
    }
    if (status == 429 || status >= 500) {
      throw new DirectoryUnavailable(
          "Graph answered " + status + " for the verified domains of directory " + directory, null);
    }
    throw new GraphRequestRejected(
        status,
        "HTTP" + status,
        "Graph refused the verified domains of directory " + directory + ": " + response.body());
  }

  private HttpResponse<String> send(String token, String directory) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base() + "/v1.0/organization?$select=verifiedDomains"))
            .timeout(graph.readTimeout())
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .GET()
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new DirectoryUnavailable(
          "no answer for the verified domains of directory " + directory + ": " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DirectoryUnavailable("interrupted asking for directory " + directory, e);
    }
  }

  private Set<String> names(String body, String directory) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException e) {
      throw new DirectoryUnavailable(
          "Graph answered 200 with a body that is not JSON for directory " + directory, e);
    }
    Set<String> names = new HashSet<>();
    for (JsonNode organization : root.path("value")) {
      for (JsonNode domain : organization.path("verifiedDomains")) {
        String name = domain.path("name").asText("");
        if (!name.isBlank()) {
          names.add(name.toLowerCase(Locale.ROOT));
        }
      }
    }
    return Set.copyOf(names);
  }

  private String base() {
    String base = graph.baseUrl();
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }
}
