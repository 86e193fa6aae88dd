package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.worker.llm.LlmClients;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LlmClientsTest {

  /** A client that knows which base URL it was built for and whether it was closed. */
  static final class FakeClient {
    final String baseUrl;
    final int number;
    boolean closed;

    FakeClient(String baseUrl, int number) {
      this.baseUrl = baseUrl;
      this.number = number;
    }
  }

  private final AtomicInteger built = new AtomicInteger();
  private final List<FakeClient> closed = new ArrayList<>();

  private LlmClients<FakeClient> clients(int capacity) {
    return new LlmClients<>(
        capacity,
        url -> new FakeClient(url, built.incrementAndGet()),
        client -> {
          client.closed = true;
          closed.add(client);
        });
  }

  @Test
  void aTenantKeepsItsClientWhileItsBaseUrlStaysTheSame() {
    LlmClients<FakeClient> clients = clients(4);

    FakeClient first;
    try (var lease = clients.lease("t1", "https://a.example/v1")) {
      first = lease.client();
    }
    try (var lease = clients.lease("t1", "https://a.example/v1")) {
      assertThat(lease.client()).isSameAs(first);
    }
    assertThat(built).hasValue(1);
    assertThat(closed).isEmpty();
  }

  @Test
  void aChangedBaseUrlReplacesTheTenantsClientAndClosesTheOldOne() {
    LlmClients<FakeClient> clients = clients(4);
    FakeClient old;
    try (var lease = clients.lease("t1", "https://a.example/v1")) {
      old = lease.client();
    }

    try (var lease = clients.lease("t1", "https://b.example/v1")) {
      assertThat(lease.client().baseUrl).isEqualTo("https://b.example/v1");
    }

    assertThat(closed).containsExactly(old);
    assertThat(clients.size()).isEqualTo(1);
  }

  @Test
  void beyondItsCapacityTheLeastRecentlyUsedClientIsClosed() {
    LlmClients<FakeClient> clients = clients(2);
    clients.lease("t1", "https://a.example/v1").close();
    clients.lease("t2", "https://a.example/v1").close();
    // t1 used again: t2 is now the least recently used.
    clients.lease("t1", "https://a.example/v1").close();

    clients.lease("t3", "https://a.example/v1").close();

    assertThat(clients.size()).isEqualTo(2);
    assertThat(closed).singleElement().extracting(c -> c.number).isEqualTo(2);
  }

  @Test
  void aClientDroppedWhileAChunkHoldsItIsClosedOnlyWhenTheChunkLetsGo() {
    LlmClients<FakeClient> clients = clients(1);
    var held = clients.lease("t1", "https://a.example/v1");

    clients.lease("t2", "https://a.example/v1").close();
    assertThat(held.client().closed).isFalse();

    held.close();
    held.close();
    assertThat(closed).containsExactly(held.client());
  }
}
