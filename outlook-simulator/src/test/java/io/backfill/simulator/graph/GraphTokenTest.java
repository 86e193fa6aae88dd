package io.backfill.simulator.graph;

import static io.backfill.simulator.SimulatorFixtures.CLIENT_ID;
import static io.backfill.simulator.SimulatorFixtures.CLIENT_SECRET;
import static io.backfill.simulator.SimulatorFixtures.SCOPE;
import static io.backfill.simulator.SimulatorFixtures.TENANT;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GraphTokenTest {

  @Test
  void clientCredentialsOfTheTenantGetAnExpiringBearerToken() {
    request(TENANT, CLIENT_ID, CLIENT_SECRET, SCOPE)
        .statusCode(200)
        .body("token_type", equalTo("Bearer"))
        .body("expires_in", greaterThan(0))
        .body("access_token", notNullValue());
  }

  @Test
  void wrongSecretIs401InvalidClientWithAnAadstsBody() {
    request(TENANT, CLIENT_ID, "not-the-secret", SCOPE)
        .statusCode(401)
        .body("error", equalTo("invalid_client"))
        .body("error_description", startsWith("AADSTS7000215: Invalid client secret provided."))
        .body("error_codes", contains(7000215))
        .body("trace_id", notNullValue())
        .body("correlation_id", notNullValue());
  }

  @Test
  void unknownClientIdIs401WithAadsts700016() {
    request(TENANT, "someone-else", CLIENT_SECRET, SCOPE)
        .statusCode(401)
        .body("error", equalTo("invalid_client"))
        .body("error_codes", contains(700016));
  }

  @Test
  void unknownTenantAndWrongScopeAre400() {
    request("no-such-tenant", CLIENT_ID, CLIENT_SECRET, SCOPE)
        .statusCode(400)
        .body("error_codes", contains(90002));
    request(TENANT, CLIENT_ID, CLIENT_SECRET, "Mail.Read")
        .statusCode(400)
        .body("error", equalTo("invalid_scope"));
  }

  @Test
  void credentialsAsHttpBasicAreAcceptedToo() {
    given()
        .auth()
        .preemptive()
        .basic(CLIENT_ID, CLIENT_SECRET)
        .formParam("grant_type", "client_credentials")
        .formParam("scope", SCOPE)
        .post("/{tenant}/oauth2/v2.0/token", TENANT)
        .then()
        .statusCode(200)
        .body("access_token", notNullValue());
  }

  @Test
  void discoveryDocumentNamesTheTokenEndpointOnTheCallersBase() {
    given()
        .get("/{tenant}/v2.0/.well-known/openid-configuration", TENANT)
        .then()
        .statusCode(200)
        .body(
            "token_endpoint",
            org.hamcrest.Matchers.matchesPattern(
                "http://localhost:\\d+/contoso-tenant/oauth2/v2.0/token"));
  }

  private static ValidatableResponse request(
      String tenant, String clientId, String secret, String scope) {
    return given()
        .formParam("grant_type", "client_credentials")
        .formParam("client_id", clientId)
        .formParam("client_secret", secret)
        .formParam("scope", scope)
        .post("/{tenant}/oauth2/v2.0/token", tenant)
        .then();
  }
}
