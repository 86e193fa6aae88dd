package io.backfill.simulator;

import static io.backfill.simulator.SimulatorFixtures.BOB;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AdminApiTest {

  @AfterEach
  void reset() {
    SimulatorFixtures.resetSimulator();
  }

  @Test
  void configuredMailboxesAreListedWithTheirSizeAndSeed() {
    given()
        .get("/admin/mailboxes")
        .then()
        .statusCode(200)
        .body("address", hasItem(SimulatorFixtures.ALICE))
        .body(
            "find { it.address == 'alice@contoso.com' }.size",
            equalTo(SimulatorFixtures.ALICE_SIZE))
        .body("find { it.address == 'alice@contoso.com' }.seed", equalTo(7));
  }

  @Test
  void groundTruthGivesEachMessagesEntitiesRelationshipsAndLateEntity() {
    List<Map<String, Object>> truth =
        given()
            .queryParam("limit", 300)
            .get("/admin/mailboxes/{user}/ground-truth", BOB)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("");

    assertThat(truth).hasSizeGreaterThanOrEqualTo(150);
    assertThat(truth)
        .allSatisfy(
            t -> assertThat(t).containsKeys("id", "internetMessageId", "groundTruth", "bodyBytes"));
    assertThat(truth)
        .anySatisfy(
            t -> assertThat(((Number) t.get("bodyBytes")).intValue()).isGreaterThan(10 * 1024));
  }

  @Test
  void aMailboxAddedAtRuntimeIsServedAndDeterministic() {
    Map<String, Object> spec = Map.of("address", "carol@litwareinc.com", "size", 40, "seed", 99);
    String firstId = createAndFirstId(spec);
    String againId = createAndFirstId(spec);

    assertThat(againId).isEqualTo(firstId);
    SimulatorFixtures.graph()
        .get("/v1.0/users/carol@litwareinc.com/messages")
        .then()
        .statusCode(200);
  }

  @Test
  void faultsCanBeListedAndRemovedOneByOne() {
    int id =
        given()
            .contentType("application/json")
            .body(Map.of("target", "*", "kind", "latency", "latencyMs", 1))
            .post("/admin/faults")
            .then()
            .statusCode(201)
            .extract()
            .path("id");

    given().get("/admin/faults").then().statusCode(200).body("id", hasItem(id));
    given().delete("/admin/faults/{id}", id).then().statusCode(204);
    given().delete("/admin/faults/{id}", id).then().statusCode(404);
    given()
        .contentType("application/json")
        .body(Map.of("target", "*", "kind", "explode"))
        .post("/admin/faults")
        .then()
        .statusCode(400)
        .body("error.message", equalTo("unknown fault kind 'explode'"));
  }

  @Test
  void directoriesAreCreatedOnceAndRefuseMalformedOrTakenDomains() {
    String id = "admin-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> body = Map.of("verifiedDomains", List.of(id + ".example"));

    given()
        .contentType("application/json")
        .body(body)
        .put("/admin/graph/directories/{id}", id)
        .then()
        .statusCode(201)
        .body("defaultDomain", equalTo(id + ".example"));
    given()
        .contentType("application/json")
        .body(Map.of("displayName", "Renamed"))
        .put("/admin/graph/directories/{id}", id)
        .then()
        .statusCode(200)
        .body("displayName", equalTo("Renamed"))
        .body("verifiedDomains", hasItem(id + ".example"));
    given()
        .contentType("application/json")
        .body(body)
        .put("/admin/graph/directories/{id}", "other-" + id)
        .then()
        .statusCode(409);
    given()
        .contentType("application/json")
        .body(Map.of("verifiedDomains", List.of("not a domain")))
        .put("/admin/graph/directories/{id}", "third-" + id)
        .then()
        .statusCode(400);
    given()
        .contentType("application/json")
        .body(body)
        .put("/admin/graph/directories/{id}", "organizations")
        .then()
        .statusCode(400);
    given().get("/admin/graph/directories").then().statusCode(200).body("id", hasItem(id));
  }

  private static String createAndFirstId(Map<String, Object> spec) {
    given()
        .contentType("application/json")
        .body(spec)
        .post("/admin/mailboxes")
        .then()
        .statusCode(201);
    return given()
        .queryParam("limit", 1)
        .get("/admin/mailboxes/{user}/ground-truth", spec.get("address"))
        .then()
        .statusCode(200)
        .extract()
        .path("[0].id");
  }
}
