package io.backfill.simulator.graph;

import static io.backfill.simulator.ConsentFixtures.CONNECTOR_ID;
import static io.backfill.simulator.ConsentFixtures.REDIRECT_URI;
import static io.backfill.simulator.ConsentFixtures.adminConsent;
import static io.backfill.simulator.ConsentFixtures.decide;
import static io.backfill.simulator.ConsentFixtures.newDirectory;
import static io.backfill.simulator.ConsentFixtures.query;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AdminConsentTest {

  @Test
  void approvedConsentRedirectsWithTheAdminsDirectoryAndRecordsTheConsent() {
    String directory = newDirectory("litware.example");
    newDirectory("adatum.example");

    String location =
        adminConsent(
                "organizations",
                Map.of(
                    "client_id",
                    CONNECTOR_ID,
                    "redirect_uri",
                    REDIRECT_URI,
                    "state",
                    "st/1 +x",
                    "login_hint",
                    "admin@litware.example"))
            .statusCode(302)
            .extract()
            .header("Location");

    assertThat(location).startsWith(REDIRECT_URI + "?");
    assertThat(query(location))
        .containsExactly(
            Map.entry("tenant", directory),
            Map.entry("admin_consent", "True"),
            Map.entry("state", "st/1 +x"));
    assertThat(consentedApps(directory)).containsExactly(CONNECTOR_ID);
  }

  @Test
  void aDirectoryInThePathAnswersItselfWithoutALoginHint() {
    String directory = newDirectory();

    String location =
        adminConsent(directory, Map.of("client_id", CONNECTOR_ID, "redirect_uri", REDIRECT_URI))
            .statusCode(302)
            .extract()
            .header("Location");

    assertThat(query(location))
        .containsEntry("tenant", directory)
        .containsEntry("admin_consent", "True")
        .doesNotContainKey("state");
  }

  @Test
  void declinedConsentRedirectsWithAccessDeniedAndGrantsNothing() {
    String directory = newDirectory("declines.example");
    decide(directory, "deny");

    String location =
        adminConsent(
                "common",
                Map.of(
                    "client_id",
                    CONNECTOR_ID,
                    "redirect_uri",
                    REDIRECT_URI,
                    "state",
                    "abc",
                    "login_hint",
                    "it@declines.example"))
            .statusCode(302)
            .extract()
            .header("Location");

    assertThat(location).doesNotContain(" ").doesNotContain("tenant=");
    assertThat(query(location))
        .containsExactly(
            Map.entry("error", "access_denied"),
            Map.entry("error_subcode", "cancel"),
            Map.entry(
                "error_description", "AADSTS65004: User declined to consent to access the app."),
            Map.entry("state", "abc"));
    assertThat(consentedApps(directory)).isEmpty();
  }

  @Test
  void aRedirectUriNotRegisteredForTheAppGetsTheErrorPageAndNoRedirect() {
    String directory = newDirectory();

    adminConsent(
            directory,
            Map.of(
                "client_id",
                CONNECTOR_ID,
                "redirect_uri",
                "https://attacker.example/<script>steal()</script>",
                "state",
                "abc"))
        .statusCode(400)
        .header("Location", nullValue())
        .contentType(containsString("text/html"))
        .body(containsString("AADSTS50011"))
        .body(containsString("&lt;script&gt;"))
        .body(not(containsString("<script>")));
    assertThat(consentedApps(directory)).isEmpty();
  }

  @Test
  void anUnknownClientIdGetsTheErrorPage() {
    String directory = newDirectory();

    adminConsent(
            directory,
            Map.of("client_id", "no-such-app", "redirect_uri", REDIRECT_URI, "state", "abc"))
        .statusCode(400)
        .header("Location", nullValue())
        .body(containsString("AADSTS700016: Application with identifier"))
        .body(containsString("no-such-app"));
  }

  @Test
  void withoutAnAdminOfAKnownDirectoryThereIsNoConsent() {
    Map<String, String> noHint = Map.of("client_id", CONNECTOR_ID, "redirect_uri", REDIRECT_URI);
    adminConsent("organizations", noHint).statusCode(400).body(containsString("AADSTS50059"));

    adminConsent(
            "organizations",
            Map.of(
                "client_id",
                CONNECTOR_ID,
                "redirect_uri",
                REDIRECT_URI,
                "login_hint",
                "admin@nowhere.example"))
        .statusCode(400)
        .header("Location", nullValue())
        .body(containsString("AADSTS50034"));

    adminConsent("no-such-directory", noHint).statusCode(400).body(containsString("AADSTS90002"));
  }

  @Test
  void theDecisionMustBeApproveOrDeny() {
    String directory = newDirectory();

    given()
        .contentType("application/json")
        .body(Map.of("decision", "maybe"))
        .put("/admin/graph/directories/{id}/consent-decision", directory)
        .then()
        .statusCode(400);
    given()
        .contentType("application/json")
        .body(Map.of("decision", "deny"))
        .put("/admin/graph/directories/{id}/consent-decision", "no-such-directory")
        .then()
        .statusCode(404);
  }

  private static List<String> consentedApps(String directory) {
    return given()
        .get("/admin/graph/directories/{id}", directory)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("consentedApps");
  }
}
