package io.backfill.worker.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.ws.rs.ProcessingException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call that runs out of time is told apart from other transport failures by the exception types
 * the clients really throw: it then counts as {@code timeout} (retried like today), or as the
 * phase's {@code deadline} when the deadline cut it short. The failures here come from the real
 * clients against a server that accepts connections and never answers.
 */
class CallFailuresTest {

  private ServerSocket silent;
  private Vertx vertx;

  @BeforeEach
  void setUp() throws Exception {
    // Connections wait in the backlog: accepted by the kernel, never read, never answered.
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    silent.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aVertxRequestPastItsReadTimeoutIsATimeoutAlsoWrappedByTheRestClient() throws Exception {
    Throwable failure = vertxPost(silent.getLocalPort(), 200);

    assertThat(CallFailures.isTimeout(failure)).as(String.valueOf(failure)).isTrue();
    assertThat(CallFailures.isTimeout(new ProcessingException(failure))).isTrue();
  }

  @Test
  void theMutinyWaitPastItsBoundIsATimeout() {
    Throwable failure = null;
    try {
      Uni.createFrom().nothing().await().atMost(Duration.ofMillis(50));
    } catch (RuntimeException e) {
      failure = e;
    }

    assertThat(failure).isNotNull();
    assertThat(CallFailures.isTimeout(failure)).isTrue();
  }

  @Test
  void theJdkHttpClientsRequestTimeoutIsATimeout() throws Exception {
    Throwable failure = null;
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    try {
      client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/"))
              .timeout(Duration.ofMillis(200))
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (java.io.IOException e) {
      failure = e;
    }

    assertThat(failure).isNotNull();
    assertThat(CallFailures.isTimeout(failure)).as(String.valueOf(failure)).isTrue();
  }

  @Test
  void aConnectTimeoutReportedByNettyIsATimeout() {
    assertThat(
            CallFailures.isTimeout(
                new ProcessingException(
                    new ConnectTimeoutException("connection timed out after 100 ms"))))
        .isTrue();
  }

  @Test
  void aRefusedConnectionIsATransportErrorNotATimeout() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }

    Throwable failure = vertxPost(closedPort, 5_000);

    assertThat(failure).isNotNull();
    assertThat(CallFailures.isTimeout(failure)).as(String.valueOf(failure)).isFalse();
    assertThat(CallFailures.isTimeout(new IllegalStateException("no answer"))).isFalse();
  }

  private Throwable vertxPost(int port, long idleTimeoutMs) throws Exception {
    HttpClient client = vertx.createHttpClient();
    try {
      return client
          .request(
              new RequestOptions()
                  .setMethod(HttpMethod.POST)
                  .setHost("127.0.0.1")
                  .setPort(port)
                  .setURI("/v1/chat/completions")
                  .setIdleTimeout(idleTimeoutMs))
          .compose(request -> request.send("{}"))
          .toCompletionStage()
          .toCompletableFuture()
          .handle((response, failure) -> failure)
          .get(10, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }
}
