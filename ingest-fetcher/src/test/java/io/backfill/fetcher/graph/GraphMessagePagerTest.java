package io.backfill.fetcher.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.backfill.fetcher.config.GraphConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pager against a small real HTTP server answering with Graph's documented shapes, for what the
 * simulator cannot be made to do through the fetcher: a 400 (the fetcher never sends a quoted date,
 * so the simulator never answers one) and exact request inspection.
 */
class GraphMessagePagerTest {

  private static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2024-04-01T00:00:00Z");

  private HttpServer server;
  private final List<String> queries = new CopyOnWriteArrayList<>();
  private GraphMessagePager pager;
  private SimpleMeterRegistry registry;

  @BeforeEach
  void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
    GraphConfig config = config("http://127.0.0.1:" + server.getAddress().getPort());
    registry = new SimpleMeterRegistry();
    pager =
        new GraphMessagePager(
            config,
            new GraphTokens(new FixedTokenClient(), config),
            new InProcessMailboxPermits(4),
            new GraphMetrics(registry),
            new ObjectMapper());
  }

  @AfterEach
  void tearDown() {
    server.stop(0);
  }

  @Test
  void firstPageAsksForTextBodiesPagesOf100AndUnquotedDates() {
    String url = pager.firstPageUrl("ana@contoso.com", null, FROM, TO);

    GraphMessagePage page = pager.fetch(url, "contoso", "ana@contoso.com", noWaits());

    assertThat(page.messages()).hasSize(1);
    assertThat(page.last()).isTrue();
    String query = URLDecoder.decode(queries.get(0), StandardCharsets.UTF_8);
    assertThat(query)
        .contains("$top=100")
        .contains(
            "$filter=receivedDateTime ge 2024-01-01T00:00:00Z and receivedDateTime lt"
                + " 2024-04-01T00:00:00Z")
        .contains("$orderby=receivedDateTime desc")
        .contains("$select=id,internetMessageId")
        .doesNotContain("'");
  }

  @Test
  void badRequestIsNotRetriedAndCarriesGraphsCodeAndMessage() {
    String url =
        pager.firstPageUrl("ana@contoso.com", null, FROM, TO).replace("2024-01-01", "2023-01-01");

    assertThatThrownBy(() -> pager.fetch(url, "contoso", "ana@contoso.com", noWaits()))
        .isInstanceOfSatisfying(
            GraphRequestRejected.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("BadRequest");
              assertThat(e.graphMessage())
                  .isEqualTo(
                      "Invalid filter clause: A binary operator with incompatible types was"
                          + " detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String'"
                          + " for operator kind 'GreaterThanOrEqual'.");
            });
    assertThat(queries).hasSize(1);
  }

  @Test
  void bodyIsCutAt10KilobytesOnACharacterBoundaryAndFlagged() {
    String body = "é".repeat(6_000);

    GraphMessageMapper.BodyText cut = GraphMessageMapper.BodyText.of(body, 10_240);

    assertThat(cut.truncated()).isTrue();
    assertThat(cut.text().getBytes(StandardCharsets.UTF_8)).hasSize(10_240);
    assertThat(GraphMessageMapper.BodyText.of("short", 10_240).truncated()).isFalse();
  }

  private void answer(HttpExchange exchange) throws IOException {
    queries.add(exchange.getRequestURI().getRawQuery());
    String query =
        URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
    boolean ok =
        "Bearer test-token".equals(exchange.getRequestHeaders().getFirst("Authorization"))
            && "outlook.body-content-type=\"text\""
                .equals(exchange.getRequestHeaders().getFirst("Prefer"))
            && query.contains("ge 2024-01-01T00:00:00Z");
    // The answer Graph gives a quoted or otherwise mistyped date (LESSONS 20).
    String body =
        ok
            ? """
              {"value":[{"id":"AAMk1","subject":"hi","receivedDateTime":"2024-02-01T10:00:00Z",
              "from":{"emailAddress":{"name":"Ana","address":"ana@contoso.com"}},
              "toRecipients":[],"ccRecipients":[],"body":{"contentType":"text","content":"x"}}]}
              """
            : """
              {"error":{"code":"BadRequest","message":"Invalid filter clause: A binary operator \
              with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and \
              'Edm.String' for operator kind 'GreaterThanOrEqual'.","innerError":{}}}
              """;
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(ok ? 200 : 400, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static RetryWaits noWaits() {
    return new RetryWaits() {
      @Override
      public void backoff(Duration wait, RetryReason reason) {}

      @Override
      public String describe() {
        return "test";
      }
    };
  }

  /** A token client that always has the same valid token. */
  private static final class FixedTokenClient implements OidcClient {
    @Override
    public Uni<Tokens> getTokens(Map<String, String> additionalGrantParameters) {
      long inAnHour = Instant.now().getEpochSecond() + 3600;
      return Uni.createFrom()
          .item(new Tokens("test-token", inAnHour, null, null, null, null, "backfill"));
    }

    @Override
    public Uni<Tokens> refreshTokens(String refreshToken, Map<String, String> parameters) {
      return getTokens(parameters);
    }

    @Override
    public Uni<Boolean> revokeAccessToken(String accessToken, Map<String, String> parameters) {
      return Uni.createFrom().item(true);
    }

    @Override
    public void close() {}
  }

  private static GraphConfig config(String baseUrl) {
    return new GraphConfig() {
      @Override
      public String baseUrl() {
        return baseUrl;
      }

      @Override
      public Duration connectTimeout() {
        return Duration.ofSeconds(1);
      }

      @Override
      public Duration readTimeout() {
        return Duration.ofSeconds(2);
      }

      @Override
      public int pageSize() {
        return 100;
      }

      @Override
      public int maxBodyBytes() {
        return 10_240;
      }

      @Override
      public int maxConcurrentPerMailbox() {
        return 4;
      }

      @Override
      public int maxRetries() {
        return 3;
      }

      @Override
      public Duration initialBackoff() {
        return Duration.ofMillis(10);
      }

      @Override
      public Duration maxBackoff() {
        return Duration.ofMillis(20);
      }

      @Override
      public Duration maxRetryAfter() {
        return Duration.ofSeconds(1);
      }
    };
  }
}
