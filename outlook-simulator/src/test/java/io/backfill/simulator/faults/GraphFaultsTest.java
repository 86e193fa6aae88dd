package io.backfill.simulator.faults;

import static io.backfill.simulator.SimulatorFixtures.ALICE;
import static io.backfill.simulator.SimulatorFixtures.BOB;
import static io.backfill.simulator.SimulatorFixtures.TENANT;
import static io.backfill.simulator.SimulatorFixtures.graph;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.backfill.simulator.SimulatorFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GraphFaultsTest {

  private static final String MESSAGES = "/v1.0/users/{user}/messages";

  @TestHTTPResource("/")
  URL base;

  @AfterEach
  void reset() {
    SimulatorFixtures.resetSimulator();
    given()
        .contentType("application/json")
        .body(Map.of("seconds", 3600))
        .put("/admin/graph/token-lifetime")
        .then()
        .statusCode(200);
  }

  @Test
  void throttleFaultIs429WithRetryAfterForItsCountThenServesAgain() {
    fault(Map.of("target", ALICE, "kind", "throttle", "times", 2, "retryAfterSeconds", 3));

    for (int i = 0; i < 2; i++) {
      graph()
          .get(MESSAGES, ALICE)
          .then()
          .statusCode(429)
          .header("Retry-After", "3")
          .body("error.code", equalTo("TooManyRequests"));
    }
    graph().get(MESSAGES, ALICE).then().statusCode(200);
  }

  @Test
  void unavailableGatewayTimeoutAndServerErrorFaultsAnswerInGraphsShape() {
    fault(Map.of("target", ALICE, "kind", "unavailable", "times", 1));
    graph()
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(503)
        .header("Retry-After", "1")
        .body("error.code", equalTo("ServiceUnavailable"));
    fault(Map.of("target", ALICE, "kind", "gateway-timeout", "times", 1));
    graph().get(MESSAGES, ALICE).then().statusCode(504).body("error.code", equalTo("UnknownError"));
    fault(Map.of("target", "*", "kind", "server-error", "times", 1));
    graph()
        .get(MESSAGES, BOB)
        .then()
        .statusCode(500)
        .body("error.innerError.date", org.hamcrest.Matchers.notNullValue());
  }

  @Test
  void badRequestFaultAnswersAWellFormedRequestWith400InGraphsErrorShape() {
    given().delete("/admin/counters").then().statusCode(204);
    String message = "The mailbox is on litigation hold and cannot be listed.";
    fault(
        Map.of(
            "target",
            ALICE,
            "kind",
            "bad-request",
            "code",
            "ErrorInvalidRequest",
            "message",
            message,
            "times",
            1));

    graph()
        .queryParam("$select", "id")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(400)
        .contentType("application/json")
        .header("request-id", org.hamcrest.Matchers.notNullValue())
        .body("error.code", equalTo("ErrorInvalidRequest"))
        .body("error.message", equalTo(message))
        .body("error.innerError.date", org.hamcrest.Matchers.notNullValue())
        .body("error.innerError.request-id", org.hamcrest.Matchers.notNullValue())
        .body("error.innerError.client-request-id", org.hamcrest.Matchers.notNullValue());
    // Only the faulted mailbox, and only for the rule's count.
    graph().queryParam("$select", "id").get(MESSAGES, BOB).then().statusCode(200);
    graph().queryParam("$select", "id").get(MESSAGES, ALICE).then().statusCode(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(counters())
                    .anySatisfy(
                        c ->
                            assertThat(c)
                                .containsEntry("endpoint", "messages")
                                .containsEntry("target", ALICE)
                                .containsEntry("status", "400")
                                .containsEntry("count", 1)));
  }

  @Test
  void badRequestFaultWithoutCodeOrMessageAnswersInvalidRequest() {
    fault(Map.of("target", "*", "kind", "bad-request"));

    graph()
        .get(MESSAGES, BOB)
        .then()
        .statusCode(400)
        .body("error.code", equalTo(FaultRule.DEFAULT_ERROR_CODE))
        .body("error.message", equalTo(FaultRule.DEFAULT_ERROR_MESSAGE));
    given()
        .get("/admin/faults")
        .then()
        .statusCode(200)
        .body("[0].kind", equalTo("bad-request"))
        .body("[0].code", equalTo(FaultRule.DEFAULT_ERROR_CODE))
        .body("[0].hits", equalTo(1));
  }

  @Test
  void aRandomFailureFractionFailsAboutThatShareOfCalls() {
    fault(Map.of("target", BOB, "kind", "unavailable", "probability", 0.5));
    String token = SimulatorFixtures.token();

    int failed = 0;
    for (int i = 0; i < 20; i++) {
      int status =
          given()
              .auth()
              .oauth2(token)
              .queryParam("$top", 1)
              .queryParam("$select", "id")
              .get(MESSAGES, BOB)
              .statusCode();
      failed += status == 503 ? 1 : 0;
    }

    assertThat(failed).isBetween(3, 17);
  }

  @Test
  void topOf1000Over90DaysIs504WhileTopOf100OverTheSameWindowIsServed() {
    String window =
        "receivedDateTime ge 2025-09-01T00:00:00Z and receivedDateTime lt 2025-11-30T00:00:00Z";

    graph()
        .queryParam("$filter", window)
        .queryParam("$top", 1000)
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(504)
        .body("error.code", equalTo("UnknownError"));
    graph()
        .queryParam("$filter", window)
        .queryParam("$top", 100)
        .queryParam("$select", "id")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(200);
  }

  @Test
  void latencyFaultDelaysTheAnswer() {
    fault(Map.of("target", BOB, "kind", "latency", "latencyMs", 700));

    long started = System.nanoTime();
    graph().queryParam("$select", "id").get(MESSAGES, BOB).then().statusCode(200);

    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(700));
  }

  @Test
  void hangNeverAnswersSoOnlyTheClientsReadTimeoutEndsTheCall() {
    fault(Map.of("target", BOB, "kind", "hang"));
    HttpRequest request =
        messagesRequest(BOB, SimulatorFixtures.token()).timeout(Duration.ofSeconds(1)).build();

    assertThatThrownBy(
            () -> HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void resetClosesTheConnectionWithoutAnAnswer() {
    fault(Map.of("target", BOB, "kind", "reset", "times", 1));
    HttpRequest request =
        messagesRequest(BOB, SimulatorFixtures.token()).timeout(Duration.ofSeconds(20)).build();

    assertThatThrownBy(
            () -> HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(counters())
                    .anyMatch(
                        c -> c.get("target").equals(BOB) && c.get("status").equals("no-response")));
  }

  @Test
  void tokenRevokedMidBackfillIs401UntilTheClientGetsAFreshToken() {
    String token = SimulatorFixtures.token();
    given().auth().oauth2(token).get(MESSAGES, ALICE).then().statusCode(200);

    given().post("/admin/graph/tokens/revocations?tenant=" + TENANT).then().statusCode(200);

    given()
        .auth()
        .oauth2(token)
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(401)
        .body("error.code", equalTo("InvalidAuthenticationToken"));
    graph().get(MESSAGES, ALICE).then().statusCode(200);
  }

  @Test
  void revokeTokenFaultWithdrawsTheCallersTokenOnItsNthCall() {
    fault(Map.of("target", ALICE, "kind", "revoke-token", "times", 1));
    String token = SimulatorFixtures.token();

    given().auth().oauth2(token).get(MESSAGES, ALICE).then().statusCode(401);
    given().auth().oauth2(token).get(MESSAGES, ALICE).then().statusCode(401);
    graph().get(MESSAGES, ALICE).then().statusCode(200);
  }

  @Test
  void tokensExpireAfterTheirLifetime() {
    given()
        .contentType("application/json")
        .body(Map.of("seconds", 1))
        .put("/admin/graph/token-lifetime");
    String token = SimulatorFixtures.token();

    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(token)
                    .queryParam("$select", "id")
                    .get(MESSAGES, BOB)
                    .then()
                    .statusCode(401)
                    .body(
                        "error.message",
                        equalTo("Lifetime validation failed, the token is expired.")));
  }

  @Test
  void moreThanFourConcurrentRequestsToAMailboxAre429MailboxConcurrency() {
    fault(Map.of("target", ALICE, "kind", "latency", "latencyMs", 3000));
    String token = SimulatorFixtures.token();
    HttpClient http = HttpClient.newHttpClient();

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(
          http.sendAsync(
              messagesRequest(ALICE, token).build(), HttpResponse.BodyHandlers.ofString()));
    }
    List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();

    assertThat(responses).filteredOn(r -> r.statusCode() == 200).hasSize(4);
    assertThat(responses)
        .filteredOn(r -> r.statusCode() == 429)
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(r.body()).contains("ApplicationThrottled").contains("MailboxConcurrency");
              assertThat(r.headers().firstValue("Retry-After")).isPresent();
            });
  }

  @Test
  void requestsOverTheTenMinuteBudgetAre429WithRetryAfter() {
    given()
        .contentType("application/json")
        .body("{\"maxConcurrentPerMailbox\":4,\"requestsPerTenMinutes\":3,\"topDaysBudget\":50000}")
        .put("/admin/graph/limits")
        .then()
        .statusCode(200);
    String token = SimulatorFixtures.token();

    for (int i = 0; i < 3; i++) {
      given()
          .auth()
          .oauth2(token)
          .queryParam("$select", "id")
          .get(MESSAGES, BOB)
          .then()
          .statusCode(200);
    }
    given()
        .auth()
        .oauth2(token)
        .get(MESSAGES, BOB)
        .then()
        .statusCode(429)
        .header("Retry-After", org.hamcrest.Matchers.notNullValue())
        .body("error.code", equalTo("ApplicationThrottled"));
  }

  @Test
  void countersRecordEachCallByEndpointTenantTargetAndStatus() {
    fault(Map.of("target", BOB, "kind", "throttle", "times", 1));
    graph().get(MESSAGES, BOB).then().statusCode(429);
    graph().queryParam("$select", "id").get(MESSAGES, BOB).then().statusCode(200);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(counters())
                    .anySatisfy(
                        c ->
                            assertThat(c)
                                .containsEntry("endpoint", "messages")
                                .containsEntry("tenant", TENANT)
                                .containsEntry("target", BOB)
                                .containsEntry("status", "429")
                                .containsEntry("count", 1))
                    .anySatisfy(
                        c ->
                            assertThat(c)
                                .containsEntry("endpoint", "messages")
                                .containsEntry("target", BOB)
                                .containsEntry("status", "200"))
                    .anySatisfy(
                        c ->
                            assertThat(c)
                                .containsEntry("endpoint", "token")
                                .containsEntry("status", "200")));
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics).contains("simulator_requests_total{").contains("status=\"429\"");
  }

  private HttpRequest.Builder messagesRequest(String user, String token) {
    return HttpRequest.newBuilder(
            URI.create(base + "v1.0/users/" + user + "/messages?%24select=id"))
        .header("Authorization", "Bearer " + token);
  }

  static void fault(Map<String, Object> rule) {
    given().contentType("application/json").body(rule).post("/admin/faults").then().statusCode(201);
  }

  static List<Map<String, Object>> counters() {
    return given().get("/admin/counters").then().statusCode(200).extract().jsonPath().getList("");
  }
}
