package io.backfill.gateway;

import static io.backfill.gateway.GatewayFixtures.as;
import static io.backfill.gateway.GatewayFixtures.asAdmin;
import static io.backfill.gateway.GatewayFixtures.asService;
import static io.backfill.gateway.GatewayFixtures.internal;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.backfill.gateway.domain.ConsentState;
import io.backfill.gateway.domain.MasterKeyring;
import io.backfill.testkit.BackfillInfrastructure;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Binding tenants to Entra directories (admin consent proven by a token of the operator's app, the
 * operator, never the tenant's own word), the internal port and its tenant registry, and tenant
 * suspension.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = TokenEndpointStandIn.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class GraphConsentTest {

  private static final String CALLBACK = "/api/v1/graph/consent/callback";
  private static final String CONNECTION = "/internal/v1/tenants/{tenantId}/graph-connection";
  private static final String CLIENT_ID = "00000000-0000-0000-0000-00000000c0de";
  private static final String REDIRECT = "https://backfill.example/api/v1/graph/consent/callback";

  /** The %test profile's keyring, to sign states the way the gateway does. */
  private static final MasterKeyring TEST_KEYRING =
      MasterKeyring.of(
          List.of("k2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="),
          Optional.of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));

  @BeforeAll
  static void freshKeys() {
    GatewayFixtures.forgetKeys();
  }

  private static String stateFor(String tenant) {
    return as(tenant).get("/api/v1/graph/consent").then().statusCode(200).extract().path("state");
  }

  private static Response approve(String state, String directory) {
    return given()
        .queryParam("tenant", directory)
        .queryParam("admin_consent", "True")
        .queryParam("state", state)
        .get(CALLBACK);
  }

  private static Map<String, String> query(String url) {
    Map<String, String> params = new HashMap<>();
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      params.put(
          pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  private static String metrics() {
    return given().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  /** The consent counter of one outcome (0 before its first increment). */
  private static double consentOutcomes(String outcome) {
    String prefix = "backfill_gateway_graph_consent_total{outcome=\"" + outcome + "\"} ";
    return metrics()
        .lines()
        .filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()).trim()))
        .findFirst()
        .orElse(0);
  }

  @Test
  void consentUrlNamesTheOperatorsAppASignedStateTheRegisteredCallbackAndTheLoginHint() {
    Instant before = Instant.now();
    Response answer =
        as("consent-url").queryParam("loginHint", "admin@contoso.com").get("/api/v1/graph/consent");

    answer.then().statusCode(200);
    String url = answer.path("consentUrl");
    String state = answer.path("state");
    Instant expires = Instant.parse(answer.path("expiresAt"));
    assertThat(url).startsWith(TokenEndpointStandIn.url() + "/organizations/adminconsent?");
    assertThat(query(url))
        .containsEntry("client_id", CLIENT_ID)
        .containsEntry("state", state)
        .containsEntry("redirect_uri", REDIRECT)
        .containsEntry("login_hint", "admin@contoso.com");
    assertThat(expires)
        .isBetween(before.plus(Duration.ofMinutes(9)), before.plus(Duration.ofMinutes(11)));
    assertThat(ConsentState.verify(TEST_KEYRING, state, Instant.now()).tenantId())
        .isEqualTo("consent-url");
    assertThat(query(as("consent-url").get("/api/v1/graph/consent").path("consentUrl")))
        .doesNotContainKey("login_hint");
    asAdmin().get("/api/v1/graph/consent").then().statusCode(403);
    given().get("/api/v1/graph/consent").then().statusCode(401);
  }

  @Test
  void approvedConsentBindsTheDirectoryToTheTenantNamedInTheStateForTheOperatorsApp() {
    String tenant = "consent-approve";
    String directory = "6F1C9B2E-4C1D-4F7E-9A55-0B3F2D8E7C10";
    as(tenant).get("/api/v1/tenant/graph").then().statusCode(404);
    asService().get(CONNECTION, tenant).then().statusCode(404);
    TokenEndpointStandIn.consented(directory);

    approve(stateFor(tenant), directory)
        .then()
        .statusCode(200)
        .body("status", equalTo("bound"))
        .body("directoryId", equalTo(directory.toLowerCase()))
        .body("boundVia", equalTo("consent"))
        .body("tenantId", nullValue());

    as(tenant)
        .get("/api/v1/tenant/graph")
        .then()
        .statusCode(200)
        .body("directoryId", equalTo(directory.toLowerCase()))
        .body("boundVia", equalTo("consent"))
        .body("boundAt", not(nullValue()));
    asAdmin()
        .get("/api/v1/admin/tenants/{tenantId}", tenant)
        .then()
        .statusCode(200)
        .body("status", equalTo("active"))
        .body("graphDirectory.directoryId", equalTo(directory.toLowerCase()))
        .body("graphDirectory.boundVia", equalTo("consent"));
    asService()
        .get(CONNECTION, tenant)
        .then()
        .statusCode(200)
        .body("tenantId", equalTo(tenant))
        .body("directoryId", equalTo(directory.toLowerCase()))
        .body("clientId", nullValue())
        .body("clientSecret", nullValue());
    assertThat(TokenEndpointStandIn.requestsFor(directory))
        .singleElement()
        .satisfies(
            request ->
                assertThat(request)
                    .containsEntry("grant_type", "client_credentials")
                    .containsEntry("client_id", CLIENT_ID)
                    .containsEntry("client_secret", TokenEndpointStandIn.CLIENT_SECRET)
                    .containsEntry("scope", "https://graph.microsoft.com/.default"));
    assertThat(metrics()).contains("backfill_gateway_graph_consent_total{outcome=\"bound\"}");
  }

  @Test
  void deniedConsentBindsNothingAnswersTheEscapedDescriptionAndUsesUpTheState() {
    String tenant = "consent-deny";
    String state = stateFor(tenant);

    given()
        .queryParam("error", "access_denied")
        .queryParam("error_description", "AADSTS65004: <script>alert(1)</script> declined")
        .queryParam("state", state)
        .get(CALLBACK)
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("type", equalTo("https://backfill.io/problems/consent-denied"))
        .body("detail", containsString("AADSTS65004: &lt;script&gt;alert(1)&lt;/script&gt;"))
        .body("detail", not(containsString("<script>")));

    as(tenant).get("/api/v1/tenant/graph").then().statusCode(404);
    approve(state, "0b3f2d8e-7c10-4f7e-9a55-6f1c9b2e4c1d")
        .then()
        .statusCode(400)
        .body("type", equalTo("https://backfill.io/problems/consent-state-used"));
    as(tenant).get("/api/v1/tenant/graph").then().statusCode(404);
    assertThat(metrics()).contains("backfill_gateway_graph_consent_total{outcome=\"denied\"}");
  }

  @Test
  void reusedExpiredTamperedAndForeignStatesAreRefusedAndBindNothing() throws Exception {
    String tenant = "consent-states";
    String directory = "11111111-2222-3333-4444-555555555555";
    TokenEndpointStandIn.consented(directory);
    TokenEndpointStandIn.consented("aaaaaaaa-2222-3333-4444-555555555555");
    String state = stateFor(tenant);
    approve(state, directory).then().statusCode(200);

    approve(state, directory)
        .then()
        .statusCode(400)
        .body("type", equalTo("https://backfill.io/problems/consent-state-used"));

    String expired =
        ConsentState.sign(TEST_KEYRING, tenant, "n-" + tenant, Instant.now().minusSeconds(1));
    approve(expired, directory)
        .then()
        .statusCode(400)
        .body("type", equalTo("https://backfill.io/problems/consent-state-expired"));

    // The payload rewritten to name another tenant, with the original signature.
    String fresh = stateFor(tenant);
    String payload =
        new String(
            Base64.getUrlDecoder().decode(fresh.substring(0, fresh.indexOf('.'))),
            StandardCharsets.UTF_8);
    String forged =
        Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    payload
                        .replace(" " + tenant + " ", " victim ")
                        .getBytes(StandardCharsets.UTF_8))
            + fresh.substring(fresh.indexOf('.'));
    MasterKeyring foreignKeyring =
        MasterKeyring.of(
            List.of("k2:" + Base64.getEncoder().encodeToString(new byte[32])), Optional.empty());
    String foreign =
        ConsentState.sign(foreignKeyring, tenant, "n-foreign", Instant.now().plusSeconds(600));
    for (String bad : List.of(forged, foreign, "not-a-state", fresh + "x", "")) {
      approve(bad, "99999999-2222-3333-4444-555555555555")
          .then()
          .statusCode(400)
          .body("type", equalTo("https://backfill.io/problems/consent-state-invalid"));
    }
    given()
        .queryParam("tenant", directory)
        .queryParam("admin_consent", "True")
        .get(CALLBACK)
        .then()
        .statusCode(400)
        .body("type", equalTo("https://backfill.io/problems/consent-state-invalid"));

    // A signed state whose nonce was never issued is not accepted either.
    String unissued =
        ConsentState.sign(TEST_KEYRING, tenant, "never-issued", Instant.now().plusSeconds(600));
    approve(unissued, "99999999-2222-3333-4444-555555555555")
        .then()
        .statusCode(400)
        .body("type", equalTo("https://backfill.io/problems/consent-state-invalid"));

    // Of concurrent callbacks with one state, exactly one binds.
    String raced = stateFor("consent-race");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(() -> approve(raced, "aaaaaaaa-2222-3333-4444-555555555555").statusCode());
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> done : pool.invokeAll(calls)) {
        statuses.add(done.get());
      }
      assertThat(statuses).containsOnly(200, 400).filteredOn(s -> s == 200).hasSize(1);
    } finally {
      pool.shutdownNow();
    }

    as(tenant)
        .get("/api/v1/tenant/graph")
        .then()
        .statusCode(200)
        .body("directoryId", equalTo(directory));
    assertThat(metrics())
        .contains(
            "backfill_gateway_graph_consent_total{outcome=\"state_used\"}",
            "backfill_gateway_graph_consent_total{outcome=\"state_expired\"}",
            "backfill_gateway_graph_consent_total{outcome=\"state_invalid\"}");
  }

  @Test
  void callbackWithoutConsentOrWithABadDirectoryOrForADirectoryOfAnotherTenantBindsNothing() {
    String tenant = "consent-callback";
    String state = stateFor(tenant);
    given()
        .queryParam("tenant", "22222222-2222-3333-4444-555555555555")
        .queryParam("admin_consent", "False")
        .queryParam("state", state)
        .get(CALLBACK)
        .then()
        .statusCode(400)
        .body("type", equalTo("https://backfill.io/problems/consent-callback-invalid"));
    approve(state, "not a directory; drop table")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("tenant"));

    asAdmin()
        .contentType("application/json")
        .body(Map.of("directoryId", "33333333-2222-3333-4444-555555555555"))
        .put("/api/v1/admin/tenants/{tenantId}/graph-directory", "consent-owner")
        .then()
        .statusCode(404);
    GatewayFixtures.keyOf("consent-owner");
    asAdmin()
        .contentType("application/json")
        .body(Map.of("directoryId", "33333333-2222-3333-4444-555555555555"))
        .put("/api/v1/admin/tenants/{tenantId}/graph-directory", "consent-owner")
        .then()
        .statusCode(204);
    TokenEndpointStandIn.consented("33333333-2222-3333-4444-555555555555");
    approve(state, "33333333-2222-3333-4444-555555555555")
        .then()
        .statusCode(409)
        .body("type", equalTo("https://backfill.io/problems/directory-already-bound"))
        .body("detail", not(containsString("consent-owner")));

    as(tenant).get("/api/v1/tenant/graph").then().statusCode(404);
    as("consent-owner")
        .get("/api/v1/tenant/graph")
        .then()
        .statusCode(200)
        .body("boundVia", equalTo("admin"));
  }

  @Test
  void forgedCallbackForADirectoryThatNeverOrNoLongerConsentedIsRefusedAndBindsNothing() {
    String tenant = "consent-forged";
    String never = "77777777-2222-3333-4444-555555555555";
    String withdrawn = "78787878-2222-3333-4444-555555555555";
    TokenEndpointStandIn.behaves(withdrawn, TokenEndpointStandIn.Behaviour.WITHDRAWN);
    Map<String, String> expectedCodes = Map.of(never, "AADSTS700016", withdrawn, "AADSTS65001");
    double refusedBefore = consentOutcomes("not_consented");

    expectedCodes.forEach(
        (directory, code) -> {
          String state = stateFor(tenant);
          approve(state, directory)
              .then()
              .statusCode(403)
              .contentType("application/problem+json")
              .body("type", equalTo("https://backfill.io/problems/directory-not-consented"))
              .body("detail", containsString(code))
              .body("detail", containsString(directory));
          assertThat(TokenEndpointStandIn.requestsFor(directory)).hasSize(1);
          as(tenant).get("/api/v1/tenant/graph").then().statusCode(404);

          // The state is used up: consent granted later needs a new link.
          TokenEndpointStandIn.consented(directory);
          approve(state, directory)
              .then()
              .statusCode(400)
              .body("type", equalTo("https://backfill.io/problems/consent-state-used"));
          as(tenant).get("/api/v1/tenant/graph").then().statusCode(404);
        });
    asAdmin()
        .get("/api/v1/admin/tenants/{tenantId}", tenant)
        .then()
        .statusCode(200)
        .body("graphDirectory", nullValue());
    assertThat(consentOutcomes("not_consented")).isEqualTo(refusedBefore + 2);
  }

  @Test
  void tokenEndpointDownAnswers503BindsNothingAndLeavesTheStateUsable() {
    String tenant = "consent-unverifiable";
    String directory = "88888888-2222-3333-4444-555555555555";
    String state = stateFor(tenant);
    double unverifiableBefore = consentOutcomes("unverifiable");

    try {
      for (TokenEndpointStandIn.Behaviour down :
          List.of(
              TokenEndpointStandIn.Behaviour.FAILING,
              TokenEndpointStandIn.Behaviour.DROPPING,
              TokenEndpointStandIn.Behaviour.HANGING)) {
        TokenEndpointStandIn.behaves(directory, down);
        approve(state, directory)
            .then()
            .statusCode(503)
            .contentType("application/problem+json")
            .body("type", equalTo("https://backfill.io/problems/consent-unverifiable"));
        as(tenant).get("/api/v1/tenant/graph").then().statusCode(404);
      }
    } finally {
      TokenEndpointStandIn.releaseHanging();
    }
    assertThat(TokenEndpointStandIn.requestsFor(directory)).hasSize(3);

    TokenEndpointStandIn.consented(directory);
    approve(state, directory).then().statusCode(200).body("directoryId", equalTo(directory));
    as(tenant)
        .get("/api/v1/tenant/graph")
        .then()
        .statusCode(200)
        .body("directoryId", equalTo(directory));
    approve(state, directory)
        .then()
        .statusCode(400)
        .body("type", equalTo("https://backfill.io/problems/consent-state-used"));
    assertThat(consentOutcomes("unverifiable")).isEqualTo(unverifiableBefore + 3);
  }

  @Test
  void theOperatorsClientSecretAppearsInNoAnswerAndNoLogLine() {
    String tenant = "consent-secret";
    String consented = "99999999-aaaa-3333-4444-555555555555";
    String failing = "99999999-bbbb-3333-4444-555555555555";
    TokenEndpointStandIn.consented(consented);
    TokenEndpointStandIn.behaves(failing, TokenEndpointStandIn.Behaviour.FAILING);
    List<String> answers = new ArrayList<>();

    try (GatewayFixtures.CapturedLogs logs = new GatewayFixtures.CapturedLogs()) {
      Response link = as(tenant).get("/api/v1/graph/consent");
      answers.add(link.asString());
      String state = link.path("state");
      answers.add(approve(state, failing).then().statusCode(503).extract().asString());
      answers.add(
          approve(state, "99999999-cccc-3333-4444-555555555555")
              .then()
              .statusCode(403)
              .extract()
              .asString());
      answers.add(approve(stateFor(tenant), consented).then().statusCode(200).extract().asString());

      assertThat(TokenEndpointStandIn.requestsFor(consented))
          .singleElement()
          .satisfies(
              r ->
                  assertThat(r).containsEntry("client_secret", TokenEndpointStandIn.CLIENT_SECRET));
      assertThat(logs.lines)
          .anySatisfy(line -> assertThat(line).contains(failing))
          .anySatisfy(line -> assertThat(line).contains("AADSTS700016"))
          .noneSatisfy(line -> assertThat(line).contains(TokenEndpointStandIn.CLIENT_SECRET))
          .noneSatisfy(line -> assertThat(line).contains("stand-in-token"));
    }
    assertThat(answers)
        .hasSize(4)
        .noneSatisfy(answer -> assertThat(answer).contains(TokenEndpointStandIn.CLIENT_SECRET))
        .noneSatisfy(answer -> assertThat(answer).contains("stand-in-token"));
    assertThat(metrics()).doesNotContain(TokenEndpointStandIn.CLIENT_SECRET);
  }

  @Test
  void tenantCannotNameItsDirectoryWithoutItsOwnAppAndItsOwnDirectoryIsUsedOnlyWithIt() {
    String tenant = "own-app";
    putSecret(tenant, "GRAPH_DIRECTORY_ID", "44444444-2222-3333-4444-555555555555")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("type", equalTo("https://backfill.io/problems/directory-needs-consent"))
        .body("detail", containsString("admin-consent flow"));
    putSecret(tenant, "graph_client_id", "app-1").then().statusCode(204);
    putSecret(tenant, "graph_directory_id", "44444444-2222-3333-4444-555555555555")
        .then()
        .statusCode(403);
    asService().get(CONNECTION, tenant).then().statusCode(404);

    putSecret(tenant, "graph_client_secret", "app-secret").then().statusCode(204);
    putSecret(tenant, "graph_directory_id", "44444444-2222-3333-4444-555555555555")
        .then()
        .statusCode(204);
    asService()
        .get(CONNECTION, tenant)
        .then()
        .statusCode(200)
        .body("directoryId", equalTo("44444444-2222-3333-4444-555555555555"))
        .body("clientId", equalTo("app-1"))
        .body("clientSecret", equalTo("app-secret"));

    // Its own directory id never travels with the operator's app.
    as(tenant)
        .delete("/api/v1/tenant/secrets/{name}", "graph_client_secret")
        .then()
        .statusCode(204);
    asService().get(CONNECTION, tenant).then().statusCode(404);
    TokenEndpointStandIn.consented("55555555-2222-3333-4444-555555555555");
    approve(stateFor(tenant), "55555555-2222-3333-4444-555555555555").then().statusCode(200);
    asService()
        .get(CONNECTION, tenant)
        .then()
        .statusCode(200)
        .body("directoryId", equalTo("55555555-2222-3333-4444-555555555555"))
        .body("clientId", nullValue())
        .body("clientSecret", nullValue());

    // Own app without an own directory id: the bound directory with the tenant's app.
    putSecret(tenant, "graph_client_secret", "app-secret").then().statusCode(204);
    as(tenant).delete("/api/v1/tenant/secrets/{name}", "graph_directory_id").then().statusCode(204);
    asService()
        .get(CONNECTION, tenant)
        .then()
        .statusCode(200)
        .body("directoryId", equalTo("55555555-2222-3333-4444-555555555555"))
        .body("clientId", equalTo("app-1"));
  }

  @Test
  void operatorBindsValidatedDirectoriesAndReleasesThem() {
    String tenant = "admin-bound";
    GatewayFixtures.keyOf(tenant);
    String path = "/api/v1/admin/tenants/{tenantId}/graph-directory";
    for (String body :
        List.of(
            "{\"directoryId\":\"not_a_directory\"}",
            "{\"directoryId\":\"" + "a".repeat(61) + ".com\"}",
            "{\"directoryId\":\"contoso\"}",
            "{\"directoryId\":42}",
            "{}",
            "{\"directoryId\":\"contoso.com\",\"extra\":1}",
            "{")) {
      asAdmin()
          .contentType("application/json")
          .body(body)
          .put(path, tenant)
          .then()
          .statusCode(400)
          .body("type", equalTo("https://backfill.io/problems/invalid-directory"));
    }
    as(tenant)
        .contentType("application/json")
        .body(Map.of("directoryId", "contoso.onmicrosoft.com"))
        .put(path, tenant)
        .then()
        .statusCode(403);

    asAdmin()
        .contentType("application/json")
        .body(Map.of("directoryId", "Contoso.OnMicrosoft.com"))
        .put(path, tenant)
        .then()
        .statusCode(204);

    as(tenant)
        .get("/api/v1/tenant/graph")
        .then()
        .statusCode(200)
        .body("directoryId", equalTo("contoso.onmicrosoft.com"))
        .body("boundVia", equalTo("admin"));
    asService()
        .get(CONNECTION, tenant)
        .then()
        .statusCode(200)
        .body("directoryId", equalTo("contoso.onmicrosoft.com"));
    asAdmin().delete(path, tenant).then().statusCode(204);
    asAdmin().delete(path, tenant).then().statusCode(404);
    as(tenant).get("/api/v1/tenant/graph").then().statusCode(404);
    asAdmin()
        .get("/api/v1/admin/tenants/{tenantId}", tenant)
        .then()
        .statusCode(200)
        .body("graphDirectory", nullValue());
  }

  @Test
  void registryAnswersKnownTenantsWithTheirStatusToTheServiceTokenOnly() {
    GatewayFixtures.keyOf("registered");
    asService()
        .get("/internal/v1/tenants/{tenantId}", "registered")
        .then()
        .statusCode(200)
        .contentType("application/json")
        .body("tenantId", equalTo("registered"))
        .body("status", equalTo("active"));
    asService()
        .get("/internal/v1/tenants/{tenantId}", "nobody")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("type", equalTo("https://backfill.io/problems/tenant-not-found"));
    internal().get("/internal/v1/tenants/{tenantId}", "registered").then().statusCode(401);
    internal()
        .auth()
        .oauth2("wrong-token")
        .get("/internal/v1/tenants/{tenantId}", "registered")
        .then()
        .statusCode(401);
    asService().get("/internal/v1/nothing-here").then().statusCode(404);
  }

  @Test
  void suspendedTenantIsRefusedOnThePublicApiAndItsCredentialsUntilReactivated() {
    String tenant = "suspended";
    putSecret(tenant, "openai_api_key", "sk-suspended").then().statusCode(204);
    asService()
        .get("/internal/v1/tenants/{tenantId}/llm-credentials", tenant)
        .then()
        .statusCode(200);

    asAdmin().post("/api/v1/admin/tenants/{tenantId}/suspend", tenant).then().statusCode(204);
    asAdmin().post("/api/v1/admin/tenants/{tenantId}/suspend", tenant).then().statusCode(204);

    as(tenant)
        .get("/api/v1/tenant/api-keys")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("type", equalTo("https://backfill.io/problems/tenant-suspended"));
    as(tenant).get("/api/v1/graph/consent").then().statusCode(403);
    asService()
        .get("/internal/v1/tenants/{tenantId}", tenant)
        .then()
        .statusCode(200)
        .body("status", equalTo("suspended"));
    for (String credentials : List.of("llm-credentials", "graph-connection")) {
      asService()
          .get("/internal/v1/tenants/{tenantId}/" + credentials, tenant)
          .then()
          .statusCode(403)
          .body("type", equalTo("https://backfill.io/problems/tenant-suspended"));
    }
    asAdmin()
        .get("/api/v1/admin/tenants/{tenantId}", tenant)
        .then()
        .body("status", equalTo("suspended"))
        .body("suspendedAt", not(nullValue()));

    asAdmin().post("/api/v1/admin/tenants/{tenantId}/reactivate", tenant).then().statusCode(204);
    as(tenant).get("/api/v1/tenant/api-keys").then().statusCode(200);
    asService()
        .get("/internal/v1/tenants/{tenantId}/llm-credentials", tenant)
        .then()
        .statusCode(200)
        .body("apiKey", equalTo("sk-suspended"));
    asAdmin().post("/api/v1/admin/tenants/{tenantId}/suspend", "nobody").then().statusCode(404);
    as(tenant).post("/api/v1/admin/tenants/{tenantId}/suspend", tenant).then().statusCode(403);
  }

  @Test
  void internalPathsAreNotFoundOnThePublicPort() {
    GatewayFixtures.keyOf("public-port");
    Map<String, String> internalAnswers =
        Map.of(
            "/internal/v1/tenants/public-port", "application/json",
            "/internal/v1/tenants/public-port/llm-credentials", "no-llm-key",
            "/internal/v1/tenants/public-port/graph-connection", "no-graph-connection");
    internalAnswers.forEach(
        (path, internalAnswer) -> {
          given()
              .auth()
              .oauth2(GatewayFixtures.SERVICE_TOKEN)
              .get(path)
              .then()
              .statusCode(404)
              .contentType("application/problem+json")
              .body("type", equalTo("https://backfill.io/problems/not-found"));
          Response internalPort = asService().get(path);
          if (internalAnswer.equals("application/json")) {
            internalPort.then().statusCode(200).body("tenantId", equalTo("public-port"));
          } else {
            internalPort
                .then()
                .statusCode(404)
                .body("type", equalTo("https://backfill.io/problems/" + internalAnswer));
          }
        });
  }

  private static Response putSecret(String tenant, String name, String value) {
    return as(tenant)
        .contentType("application/json")
        .body(Map.of("value", value))
        .put("/api/v1/tenant/secrets/{name}", name);
  }
}
