package io.backfill.simulator;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;

/** The test profile's tenant, app, key and mailboxes, and a token for Graph calls. */
public final class SimulatorFixtures {

  public static final String TENANT = "contoso-tenant";
  public static final String CLIENT_ID = "backfill-app";
  public static final String CLIENT_SECRET = "backfill-secret";
  public static final String SCOPE = "https://graph.microsoft.com/.default";
  public static final String API_KEY = "sk-sim-contoso";
  public static final String ALICE = "alice@contoso.com";
  public static final int ALICE_SIZE = 500;
  public static final String BOB = "bob@fabrikam.com";

  private SimulatorFixtures() {}

  public static String token() {
    return given()
        .formParam("grant_type", "client_credentials")
        .formParam("client_id", CLIENT_ID)
        .formParam("client_secret", CLIENT_SECRET)
        .formParam("scope", SCOPE)
        .post("/{tenant}/oauth2/v2.0/token", TENANT)
        .then()
        .statusCode(200)
        .extract()
        .path("access_token");
  }

  /** A request with a fresh token; query options are not URL-encoded twice. */
  public static RequestSpecification graph() {
    return given().auth().oauth2(token()).urlEncodingEnabled(true);
  }

  /** Removes faults, restores limits and counters, so tests do not leak into each other. */
  public static void resetSimulator() {
    given().delete("/admin/faults").then().statusCode(204);
    given().delete("/admin/counters").then().statusCode(204);
    given()
        .contentType("application/json")
        .body(
            "{\"maxConcurrentPerMailbox\":4,\"requestsPerTenMinutes\":10000,\"topDaysBudget\":50000}")
        .put("/admin/graph/limits")
        .then()
        .statusCode(200);
  }
}
