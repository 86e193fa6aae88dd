package io.backfill.fetcher.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.internal.GraphConnection;
import io.backfill.fetcher.config.ConnectionsConfig;
import io.backfill.fetcher.config.GraphConfig;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.smallrye.mutiny.Uni;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Token clients are kept per tenant in a bounded cache and replaced when a connection changes. */
class GraphTokensCacheTest {

  private final Map<String, GraphConnection> connections = new ConcurrentHashMap<>();
  private final List<CountingClient> made = new CopyOnWriteArrayList<>();

  @Test
  void tenantWhoseConnectionChangedGetsANewClientAndTheOldOneIsClosed() {
    GraphTokens tokens = tokens(10);
    connections.put("t1", new GraphConnection("t1", "dir-a", "app", "secret-1"));
    String first = tokens.accessToken("t1");

    connections.put("t1", new GraphConnection("t1", "dir-a", "app", "secret-2"));
    String second = tokens.accessToken("t1");

    assertThat(made).hasSize(2);
    assertThat(second).isNotEqualTo(first);
    await().atMost(Duration.ofSeconds(5)).until(() -> made.get(0).closed);
    assertThat(made.get(1).closed).isFalse();
    assertThat(tokens.heldTenants()).isEqualTo(1);
  }

  @Test
  void anUnchangedConnectionKeepsItsClientAndToken() {
    GraphTokens tokens = tokens(10);
    connections.put("t1", new GraphConnection("t1", "dir-a", "app", "secret-1"));

    String first = tokens.accessToken("t1");
    String again = tokens.accessToken("t1");

    assertThat(again).isEqualTo(first);
    assertThat(made).hasSize(1);
  }

  @Test
  void clientsBeyondTheCacheSizeAreDroppedAndClosed() {
    GraphTokens tokens = tokens(2);
    for (String tenant : List.of("t1", "t2", "t3", "t4")) {
      connections.put(tenant, new GraphConnection(tenant, "dir-" + tenant, null, null));
      tokens.accessToken(tenant);
    }

    await().atMost(Duration.ofSeconds(5)).until(() -> tokens.heldTenants() == 2);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> made.stream().filter(c -> c.closed).count() == 2);
  }

  private GraphTokens tokens(int cacheSize) {
    GraphConfig graph =
        config(
            GraphConfig.class,
            Map.of("connectTimeout", Duration.ofSeconds(1), "readTimeout", Duration.ofSeconds(1)));
    ConnectionsConfig connectionsConfig =
        config(
            ConnectionsConfig.class,
            Map.of("loginUrl", "http://127.0.0.1:9", "cacheSize", cacheSize));
    OidcClients clients =
        new OidcClients() {
          @Override
          public OidcClient getClient() {
            throw new UnsupportedOperationException();
          }

          @Override
          public OidcClient getClient(String id) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Uni<OidcClient> newClient(OidcClientConfig config) {
            CountingClient client = new CountingClient(made.size());
            made.add(client);
            return Uni.createFrom().item(client);
          }

          @Override
          public void close() {}
        };
    return new GraphTokens(
        null,
        clients,
        tenant -> Optional.ofNullable(connections.get(tenant)),
        graph,
        connectionsConfig,
        "default-app",
        "default-secret");
  }

  @SuppressWarnings("unchecked")
  private static <T> T config(Class<T> type, Map<String, Object> values) {
    return (T)
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              if (!values.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
              }
              return values.get(method.getName());
            });
  }

  /** A token client that hands out one token of its own and remembers being closed. */
  private static final class CountingClient implements OidcClient {

    private final int number;
    private volatile boolean closed;

    CountingClient(int number) {
      this.number = number;
    }

    @Override
    public Uni<Tokens> getTokens(Map<String, String> additionalGrantParameters) {
      long expiresAt = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
      return Uni.createFrom()
          .item(new Tokens("token-" + number, expiresAt, null, null, null, null, null));
    }

    @Override
    public Uni<Tokens> refreshTokens(
        String refreshToken, Map<String, String> additionalGrantParameters) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Uni<Boolean> revokeAccessToken(
        String accessToken, Map<String, String> additionalParameters) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
