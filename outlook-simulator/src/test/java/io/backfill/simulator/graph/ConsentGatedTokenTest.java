package io.backfill.simulator.graph;

import static io.backfill.simulator.ConsentFixtures.CONNECTOR_ID;
import static io.backfill.simulator.ConsentFixtures.NORTHWIND;
import static io.backfill.simulator.ConsentFixtures.connectorAccessToken;
import static io.backfill.simulator.ConsentFixtures.connectorToken;
import static io.backfill.simulator.ConsentFixtures.consent;
import static io.backfill.simulator.ConsentFixtures.mailbox;
import static io.backfill.simulator.ConsentFixtures.newDirectory;
import static io.backfill.simulator.SimulatorFixtures.CLIENT_ID;
import static io.backfill.simulator.SimulatorFixtures.CLIENT_SECRET;
import static io.backfill.simulator.SimulatorFixtures.SCOPE;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ConsentGatedTokenTest {

  private static final String MESSAGES = "/v1.0/users/{user}/messages";

  @Test
  void aMultiTenantAppGetsNoTokenForADirectoryThatNeverConsented() {
    String directory = newDirectory();

    connectorToken(directory)
        .statusCode(400)
        .body("error", equalTo("unauthorized_client"))
        .body("error_codes", contains(700016))
        .body(
            "error_description",
            startsWith(
                "AADSTS700016: Application with identifier '"
                    + CONNECTOR_ID
                    + "' was not found in the directory 'Directory "
                    + directory
                    + "'. This can happen if the application has not been installed by the"
                    + " administrator of the tenant or consented to by any user in the tenant."))
        .body("timestamp", notNullValue())
        .body("trace_id", notNullValue())
        .body("correlation_id", notNullValue());
  }

  @Test
  void afterConsentTheAppGetsTokensForThatDirectoryAndReadsOnlyItsMailboxes() {
    String consented = newDirectory();
    String other = newDirectory();
    String ownMailbox = "erin@" + consented + ".example";
    String otherMailbox = "frank@" + other + ".example";
    mailbox(ownMailbox, consented);
    mailbox(otherMailbox, other);

    consent(consented);
    String token = connectorAccessToken(consented);

    given().auth().oauth2(token).get(MESSAGES, ownMailbox).then().statusCode(200);
    given()
        .auth()
        .oauth2(token)
        .get(MESSAGES, otherMailbox)
        .then()
        .statusCode(404)
        .body("error.code", equalTo("ErrorInvalidUser"))
        .body("error.message", equalTo("The requested user '" + otherMailbox + "' is invalid."));
    connectorToken(other).statusCode(400).body("error_codes", contains(700016));
  }

  @Test
  void withdrawnConsentRevokesTheAppsTokensAndRefusesNewOnesWithAadsts65001() {
    String directory = newDirectory();
    String address = "gina@" + directory + ".example";
    mailbox(address, directory);
    consent(directory);
    String token = connectorAccessToken(directory);
    given().auth().oauth2(token).get(MESSAGES, address).then().statusCode(200);

    given()
        .delete("/admin/graph/directories/{id}/consents/{client}", directory, CONNECTOR_ID)
        .then()
        .statusCode(204);

    given()
        .auth()
        .oauth2(token)
        .get(MESSAGES, address)
        .then()
        .statusCode(401)
        .body("error.code", equalTo("InvalidAuthenticationToken"));
    connectorToken(directory)
        .statusCode(400)
        .body("error", equalTo("invalid_grant"))
        .body("error_codes", contains(65001))
        .body(
            "error_description",
            startsWith(
                "AADSTS65001: The user or administrator has not consented to use the application"
                    + " with ID '"
                    + CONNECTOR_ID
                    + "'"));
    given()
        .delete("/admin/graph/directories/{id}/consents/{client}", directory, CONNECTOR_ID)
        .then()
        .statusCode(404);

    consent(directory);
    connectorToken(directory).statusCode(200);
  }

  @Test
  void appsConsentedInConfigGetTokensWithoutTheFlowAndStillNeedTheirSecret() {
    connectorToken(NORTHWIND).statusCode(200);
    // The identity platform takes a verified domain in place of the directory id.
    connectorToken("northwind.example").statusCode(200);

    given()
        .formParam("grant_type", "client_credentials")
        .formParam("client_id", CONNECTOR_ID)
        .formParam("client_secret", "not-the-secret")
        .formParam("scope", SCOPE)
        .post("/{tenant}/oauth2/v2.0/token", NORTHWIND)
        .then()
        .statusCode(401)
        .body("error_codes", contains(7000215));
  }

  @Test
  void aDirectorysOwnAppWorksInThatDirectoryOnly() {
    given()
        .formParam("grant_type", "client_credentials")
        .formParam("client_id", CLIENT_ID)
        .formParam("client_secret", CLIENT_SECRET)
        .formParam("scope", SCOPE)
        .post("/{tenant}/oauth2/v2.0/token", NORTHWIND)
        .then()
        .statusCode(401)
        .body("error", equalTo("invalid_client"))
        .body("error_codes", contains(700016));
  }

  @Test
  void countersTellIssuedTokensPerDirectoryAndAppFromRefusals() {
    String consented = newDirectory();
    String refused = newDirectory();
    consent(consented);
    connectorToken(consented).statusCode(200);
    connectorToken(consented).statusCode(200);
    connectorToken(refused).statusCode(400);

    // A call is counted when its response has ended, which may be just after the client saw it.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<Map<String, Object>> counters =
                  given()
                      .get("/admin/counters")
                      .then()
                      .statusCode(200)
                      .extract()
                      .jsonPath()
                      .getList("");
              assertThat(tokenCalls(counters, consented))
                  .singleElement()
                  .satisfies(
                      c -> {
                        assertThat(c)
                            .containsEntry("clientId", CONNECTOR_ID)
                            .containsEntry("status", "200")
                            .containsEntry("error", "-");
                        assertThat(c.get("count")).isEqualTo(2);
                      });
              assertThat(tokenCalls(counters, refused))
                  .singleElement()
                  .satisfies(
                      c ->
                          assertThat(c)
                              .containsEntry("clientId", CONNECTOR_ID)
                              .containsEntry("status", "400")
                              .containsEntry("error", "AADSTS700016"));
              assertThat(counters)
                  .filteredOn(c -> "adminconsent".equals(c.get("endpoint")))
                  .anySatisfy(
                      c ->
                          assertThat(c)
                              .containsEntry("tenant", consented)
                              .containsEntry("clientId", CONNECTOR_ID)
                              .containsEntry("status", "302"));
            });
  }

  private static List<Map<String, Object>> tokenCalls(
      List<Map<String, Object>> counters, String directory) {
    return counters.stream()
        .filter(c -> "token".equals(c.get("endpoint")) && directory.equals(c.get("tenant")))
        .toList();
  }
}
