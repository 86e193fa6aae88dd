package io.backfill.simulator.graph;

import static io.backfill.simulator.ConsentFixtures.connectorAccessToken;
import static io.backfill.simulator.ConsentFixtures.consent;
import static io.backfill.simulator.ConsentFixtures.mailbox;
import static io.backfill.simulator.ConsentFixtures.newDirectory;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.backfill.simulator.ConsentFixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GraphOrganizationTest {

  private static final String ORGANIZATION = "/v1.0/organization";

  @Test
  void organizationIsTheTokensDirectoryOnlyWithItsVerifiedDomains() {
    String directory = newDirectory("tailspin.example", "mail.tailspin.example");
    newDirectory("elsewhere.example");
    consent(directory);
    String initial = directory.replace("-", "") + ".onmicrosoft.com";

    List<Map<String, Object>> domains =
        given()
            .auth()
            .oauth2(connectorAccessToken(directory))
            .get(ORGANIZATION)
            .then()
            .statusCode(200)
            .body("'@odata.context'", endsWith("/v1.0/$metadata#organization"))
            .body("value", hasSize(1))
            .body("value[0].id", equalTo(directory))
            .body("value[0].displayName", equalTo("Directory " + directory))
            .extract()
            .jsonPath()
            .getList("value[0].verifiedDomains");

    assertThat(domains)
        .extracting(d -> d.get("name"), d -> d.get("isDefault"), d -> d.get("isInitial"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("tailspin.example", true, false),
            org.assertj.core.groups.Tuple.tuple("mail.tailspin.example", false, false),
            org.assertj.core.groups.Tuple.tuple(initial, false, true));
    assertThat(domains)
        .allSatisfy(
            d ->
                assertThat(d)
                    .containsEntry("type", "Managed")
                    .containsEntry("capabilities", "Email, OfficeCommunicationsOnline"));
  }

  @Test
  void selectingVerifiedDomainsAnswersOnlyThem() {
    given()
        .auth()
        .oauth2(connectorAccessToken(ConsentFixtures.NORTHWIND))
        .queryParam("$select", "verifiedDomains")
        .get(ORGANIZATION)
        .then()
        .statusCode(200)
        .body("'@odata.context'", endsWith("#organization(verifiedDomains)"))
        .body("value[0].keySet()", contains("verifiedDomains"))
        .body(
            "value[0].verifiedDomains.name",
            contains("northwind.example", "northwindtenant.onmicrosoft.com"));
  }

  @Test
  void withoutConfiguredDomainsTheDirectoryVerifiedItsMailboxesDomains() {
    String directory = "mbx-" + UUID.randomUUID().toString().substring(0, 8);
    mailbox("hana@fourthcoffee.example", directory);
    mailbox("ivan@fourthcoffee.example", directory);
    mailbox("jo@sales.fourthcoffee.example", directory);
    consent(directory);

    given()
        .auth()
        .oauth2(connectorAccessToken(directory))
        .get(ORGANIZATION)
        .then()
        .statusCode(200)
        .body("value[0].id", equalTo(directory))
        .body(
            "value[0].verifiedDomains.name",
            contains(
                "fourthcoffee.example",
                "sales.fourthcoffee.example",
                directory.replace("-", "") + ".onmicrosoft.com"));
  }

  @Test
  void anUnknownPropertyOrNoTokenIsRefusedAsGraphRefusesIt() {
    given()
        .auth()
        .oauth2(connectorAccessToken(ConsentFixtures.NORTHWIND))
        .queryParam("$select", "verifiedDomains,favouriteColour")
        .get(ORGANIZATION)
        .then()
        .statusCode(400)
        .body(
            "error.message",
            equalTo(
                "Could not find a property named 'favouriteColour' on type"
                    + " 'microsoft.graph.organization'."));
    given()
        .get(ORGANIZATION)
        .then()
        .statusCode(401)
        .body("error.code", equalTo("InvalidAuthenticationToken"));
  }
}
