package io.backfill.gateway;

import static io.backfill.gateway.GatewayFixtures.ADMIN_TOKEN;
import static io.backfill.gateway.GatewayFixtures.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.backfill.gateway.api.EventStreamLimits;
import io.backfill.testkit.BackfillInfrastructure;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-tenant rates, failed-authentication limits per address and key prefix, and the cap and key
 * re-check of event streams, with small limits and windows of a few seconds. Client addresses are
 * given as X-Forwarded-For (forwarding is enabled for this test only).
 */
@QuarkusTest
@TestProfile(AbuseLimitsTest.SmallLimits.class)
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class AbuseLimitsTest {

  /** Two at once, then one every 3 s; three failures per 3 s; two streams per tenant. */
  public static class SmallLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.ofEntries(
          Map.entry("backfill.gateway.limits.submissions.burst", "2"),
          Map.entry("backfill.gateway.limits.submissions.permits", "1"),
          Map.entry("backfill.gateway.limits.submissions.period", "3s"),
          Map.entry("backfill.gateway.limits.secret-writes.burst", "2"),
          Map.entry("backfill.gateway.limits.secret-writes.permits", "1"),
          Map.entry("backfill.gateway.limits.secret-writes.period", "3s"),
          Map.entry("backfill.gateway.limits.failed-auth.max-failures", "3"),
          Map.entry("backfill.gateway.limits.failed-auth.window", "3s"),
          Map.entry("backfill.gateway.limits.event-streams.max-per-tenant", "2"),
          Map.entry("backfill.gateway.limits.event-streams.key-recheck-interval", "500ms"),
          Map.entry("backfill.gateway.read-model.events-poll-interval", "200ms"),
          Map.entry("quarkus.http.proxy.proxy-address-forwarding", "true"),
          Map.entry("quarkus.http.proxy.allow-x-forwarded", "true"));
    }
  }

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Inject EventStreamLimits streams;
  private static final String TYPE = "https://backfill.io/problems/rate-limited";

  @BeforeAll
  static void freshKeys() {
    GatewayFixtures.forgetKeys();
  }

  private static JsonPath createTenant(String tenantId) {
    return asAdmin()
        .header("X-Forwarded-For", "198.51.100.1")
        .contentType("application/json")
        .body(Map.of("tenantId", tenantId))
        .post("/api/v1/admin/tenants")
        .then()
        .statusCode(201)
        .extract()
        .jsonPath();
  }

  private static JsonPath addKey(String tenantId) {
    return asAdmin()
        .header("X-Forwarded-For", "198.51.100.1")
        .post("/api/v1/admin/tenants/{tenantId}/api-keys", tenantId)
        .then()
        .statusCode(201)
        .extract()
        .jsonPath();
  }

  private static RequestSpecification from(String address, String token) {
    RequestSpecification request = given().header("X-Forwarded-For", address);
    return token == null ? request : request.auth().oauth2(token);
  }

  private static Response submit(String key, String mailbox) {
    return from("198.51.100.2", key)
        .contentType("application/json")
        .body("{\"mailbox\":\"" + mailbox + "\",\"from\":\"2024-01-01\",\"to\":\"2024-02-01\"}")
        .post("/api/v1/backfills");
  }

  private static Response putSecret(String key, String name) {
    return from("198.51.100.2", key)
        .contentType("application/json")
        .body(Map.of("value", "v-" + UUID.randomUUID()))
        .put("/api/v1/tenant/secrets/{name}", name);
  }

  private static long retryAfter(Response refused) {
    refused
        .then()
        .statusCode(429)
        .contentType("application/problem+json")
        .body("type", equalTo(TYPE))
        .body("status", equalTo(429));
    return Long.parseLong(refused.header("Retry-After"));
  }

  private static double rateLimited(String limit) {
    String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher m =
        Pattern.compile(
                "backfill_gateway_rate_limited_total\\{[^}]*limit=\""
                    + limit
                    + "\"[^}]*\\} ([0-9.E+-]+)")
            .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void submissionsOverTheTenantsRateGet429WithRetryAfterAndPassOnceTheBucketRefills() {
    String key = createTenant("eager").getString("apiKey");
    String other = createTenant("patient").getString("apiKey");
    double before = rateLimited("submissions");

    submit(key, "a@eager.example").then().statusCode(202);
    submit(key, "b@eager.example").then().statusCode(202);
    Response refused = submit(key, "c@eager.example");

    assertThat(retryAfter(refused)).isBetween(1L, 3L);
    assertThat(refused.jsonPath().getString("detail")).contains("submissions");
    submit(other, "a@patient.example").then().statusCode(202);
    assertThat(rateLimited("submissions")).isEqualTo(before + 1);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> submit(key, "c@eager.example").statusCode() == 202);
  }

  @Test
  void secretWritesOverTheTenantsRateGet429WithRetryAfterAndPassOnceTheBucketRefills() {
    String key = createTenant("writer").getString("apiKey");
    double before = rateLimited("secret_writes");

    putSecret(key, "openai_api_key").then().statusCode(204);
    putSecret(key, "note_for_the_rate").then().statusCode(204);
    Response refused =
        from("198.51.100.2", key).delete("/api/v1/tenant/secrets/{name}", "openai_api_key");

    assertThat(retryAfter(refused)).isBetween(1L, 3L);
    assertThat(rateLimited("secret_writes")).isEqualTo(before + 1);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> putSecret(key, "openai_api_key").statusCode() == 204);
  }

  @Test
  void anAddressThatFailsAuthenticationIsRefusedBeforeItsKeyIsCheckedUntilTheWindowEnds() {
    String key = createTenant("guessed").getString("apiKey");
    double before = rateLimited("failed_auth_address");

    try (GatewayFixtures.CapturedLogs logs = new GatewayFixtures.CapturedLogs()) {
      from("203.0.113.7", "bfk_" + "x".repeat(43)).get("/api/v1/backfills").then().statusCode(401);
      // The admin token and the service token are guessed on the same address.
      from("203.0.113.7", "not-the-admin-token")
          .get("/api/v1/admin/tenants/guessed")
          .then()
          .statusCode(401);
      // (The service token is only taken on the internal port, a server of its own.)
      from("203.0.113.7", "not-the-service-token")
          .get("/api/v1/admin/tenants/guessed")
          .then()
          .statusCode(401);

      // A valid key from that address is refused now; the same key elsewhere is fine.
      Response refused = from("203.0.113.7", key).get("/api/v1/backfills");
      assertThat(retryAfter(refused)).isBetween(1L, 3L);
      from("203.0.113.7", ADMIN_TOKEN).get("/api/v1/admin/tenants/guessed").then().statusCode(429);
      from("203.0.113.8", key).get("/api/v1/backfills").then().statusCode(200);
      assertThat(rateLimited("failed_auth_address")).isEqualTo(before + 2);

      List<String> lines =
          logs.lines.stream().filter(line -> line.contains("203.0.113.7")).toList();
      assertThat(lines).as("logged once for the window").hasSize(1);
      assertThat(String.join("\n", logs.lines))
          .doesNotContain("x".repeat(43), "not-the-admin-token", "not-the-service-token", key);
    }
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> from("203.0.113.7", key).get("/api/v1/backfills").statusCode() == 200);
  }

  @Test
  void requestsWithoutATokenAndAcceptedKeysDoNotCountAsFailures() {
    String key = createTenant("careful").getString("apiKey");

    for (int i = 0; i < 5; i++) {
      from("203.0.113.9", null).get("/api/v1/backfills").then().statusCode(401);
      from("203.0.113.9", key).get("/api/v1/backfills").then().statusCode(200);
    }
    from("203.0.113.9", "bfk_" + "y".repeat(43)).get("/api/v1/backfills").then().statusCode(401);
    from("203.0.113.9", "bfk_" + "z".repeat(43)).get("/api/v1/backfills").then().statusCode(401);

    from("203.0.113.9", key).get("/api/v1/backfills").then().statusCode(200);
  }

  @Test
  void failuresWithOneKeyPrefixAreRefusedFromEveryAddressWhileOtherKeysWork() {
    JsonPath tenant = createTenant("leaky");
    String revoked = tenant.getString("apiKey");
    String fresh = addKey("leaky").getString("apiKey");
    asAdmin()
        .header("X-Forwarded-For", "198.51.100.1")
        .delete("/api/v1/admin/tenants/leaky/api-keys/{keyId}", tenant.getString("keyId"))
        .then()
        .statusCode(204);
    double before = rateLimited("failed_auth_key_prefix");

    for (String address : List.of("192.0.2.1", "192.0.2.2", "192.0.2.3")) {
      from(address, revoked).get("/api/v1/backfills").then().statusCode(401);
    }
    Response refused = from("192.0.2.4", revoked).get("/api/v1/backfills");

    assertThat(retryAfter(refused)).isBetween(1L, 3L);
    assertThat(refused.jsonPath().getString("detail")).contains(revoked.substring(0, 10));
    assertThat(refused.asString()).doesNotContain(revoked.substring(10));
    from("192.0.2.4", fresh).get("/api/v1/backfills").then().statusCode(200);
    assertThat(rateLimited("failed_auth_key_prefix")).isEqualTo(before + 1);
  }

  @Test
  void aTenantHoldsAtMostTwoStreamsAndStreamsOfARevokedKeyCloseWithinTheRecheck() throws Exception {
    JsonPath tenant = createTenant("watcher");
    String first = tenant.getString("apiKey");
    String second = addKey("watcher").getString("apiKey");
    String jobId =
        submit(first, "w@watcher.example").then().statusCode(202).extract().path("jobId");
    double before = rateLimited("event_streams");

    Stream<String> one = open(jobId, first);
    Stream<String> two = open(jobId, first);
    CompletableFuture<Void> oneEnded = CompletableFuture.runAsync(() -> one.forEach(line -> {}));
    CompletableFuture<Void> twoEnded = CompletableFuture.runAsync(() -> two.forEach(line -> {}));

    Response third =
        from("198.51.100.2", second)
            .accept("text/event-stream")
            .get("/api/v1/backfills/{jobId}/events", jobId);
    assertThat(retryAfter(third)).isPositive();
    assertThat(rateLimited("event_streams")).isEqualTo(before + 1);
    assertThat(oneEnded).isNotDone();

    asAdmin()
        .header("X-Forwarded-For", "198.51.100.1")
        .delete("/api/v1/admin/tenants/watcher/api-keys/{keyId}", tenant.getString("keyId"))
        .then()
        .statusCode(204);

    CompletableFuture.allOf(oneEnded, twoEnded).get(10, TimeUnit.SECONDS);
    // Both slots are free again: the tenant's other key opens two streams.
    await().atMost(WAIT).until(() -> streams.openStreams("watcher") == 0);
    Stream<String> three = open(jobId, second);
    Stream<String> four = open(jobId, second);
    assertThat(streams.openStreams("watcher")).isEqualTo(2);
    three.close();
    four.close();
    String metrics = given().get("/q/metrics").then().extract().asString();
    assertThat(metrics)
        .containsPattern(
            "backfill_gateway_event_streams_closed_total\\{[^}]*reason=\"key_revoked\"[^}]*\\}"
                + " 2\\.0");
  }

  @Test
  void openApiDocumentsTheLimitOnAuthenticatedOperationsOnly() {
    JsonPath openApi =
        given()
            .queryParam("format", "json")
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();

    for (String operation :
        List.of(
            "'/api/v1/backfills'.post",
            "'/api/v1/tenant/secrets/{name}'.put",
            "'/api/v1/tenant/secrets/{name}'.delete",
            "'/api/v1/backfills/{jobId}'.get")) {
      assertThat(openApi.getMap("paths." + operation + ".responses.'429'.headers"))
          .as(operation)
          .containsKey("Retry-After");
    }
    assertThat(openApi.getMap("paths.'/version'.get.responses")).doesNotContainKey("429");
  }

  /** An open event stream's lines; fails unless the gateway answers 200. */
  private static Stream<String> open(String jobId, String key) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://localhost:"
                        + RestAssured.port
                        + "/api/v1/backfills/"
                        + jobId
                        + "/events"))
            .header("Authorization", "Bearer " + key)
            .header("X-Forwarded-For", "198.51.100.3")
            .header("Accept", "text/event-stream")
            .build();
    HttpResponse<Stream<String>> response =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .build()
            .sendAsync(request, HttpResponse.BodyHandlers.ofLines())
            .get(20, TimeUnit.SECONDS);
    if (response.statusCode() != 200) {
      response.body().close();
      throw new AssertionError("event stream answered " + response.statusCode());
    }
    return response.body();
  }
}
