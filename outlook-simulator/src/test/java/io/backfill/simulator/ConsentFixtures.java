package io.backfill.simulator;

import static io.restassured.RestAssured.given;

import io.restassured.response.ValidatableResponse;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The test profile's multi-tenant app, and fresh directories for each test: consent state lives as
 * long as the application, so tests never share a directory whose consent they change.
 */
public final class ConsentFixtures {

  public static final String CONNECTOR_ID = "backfill-connector";
  public static final String CONNECTOR_SECRET = "connector-secret";
  public static final String REDIRECT_URI =
      "https://backfill.example/api/v1/graph/consent/callback";
  public static final String NORTHWIND = "northwind-tenant";

  private ConsentFixtures() {}

  /** A new directory with these verified domains (none: one made up for it); returns its id. */
  public static String newDirectory(String... domains) {
    String id = "dir-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> verified = domains.length == 0 ? List.of(id + ".example") : List.of(domains);
    given()
        .contentType("application/json")
        .body(Map.of("displayName", "Directory " + id, "verifiedDomains", verified))
        .put("/admin/graph/directories/{id}", id)
        .then()
        .statusCode(201);
    return id;
  }

  /** The admin-consent endpoint, not following its redirect. */
  public static ValidatableResponse adminConsent(String tenant, Map<String, String> query) {
    return given()
        .redirects()
        .follow(false)
        .queryParams(query)
        .get("/{tenant}/adminconsent", tenant)
        .then();
  }

  /** The directory's administrator consents to the connector app. */
  public static void consent(String directory) {
    adminConsent(
            directory,
            Map.of("client_id", CONNECTOR_ID, "redirect_uri", REDIRECT_URI, "state", "s"))
        .statusCode(302);
  }

  public static void decide(String directory, String decision) {
    given()
        .contentType("application/json")
        .body(Map.of("decision", decision))
        .put("/admin/graph/directories/{id}/consent-decision", directory)
        .then()
        .statusCode(200);
  }

  /** The connector app's token request for a directory. */
  public static ValidatableResponse connectorToken(String directory) {
    return given()
        .formParam("grant_type", "client_credentials")
        .formParam("client_id", CONNECTOR_ID)
        .formParam("client_secret", CONNECTOR_SECRET)
        .formParam("scope", SimulatorFixtures.SCOPE)
        .post("/{tenant}/oauth2/v2.0/token", directory)
        .then();
  }

  public static String connectorAccessToken(String directory) {
    return connectorToken(directory).statusCode(200).extract().path("access_token");
  }

  /** A mailbox of five messages in the directory. */
  public static void mailbox(String address, String directory) {
    given()
        .contentType("application/json")
        .body(Map.of("address", address, "size", 5, "seed", 5, "tenant", directory))
        .post("/admin/mailboxes")
        .then()
        .statusCode(201);
  }

  /** The decoded query parameters of a redirect's location. */
  public static Map<String, String> query(String location) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : URI.create(location).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      params.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }
}
