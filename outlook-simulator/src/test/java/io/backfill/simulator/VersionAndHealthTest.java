package io.backfill.simulator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.backfill.testkit.GitHead;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The simulator has no broker and no database, so it needs no test infrastructure. */
@QuarkusTest
class VersionAndHealthTest {

  @Test
  void versionReportsTheCommitThisProcessWasBuiltFrom() {
    JsonPath version = given().get("/version").then().statusCode(200).extract().jsonPath();
    String infoCommit =
        given()
            .get("/q/info")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getString("git.commit.id.full");

    assertThat(version.getString("service")).isEqualTo("outlook-simulator");
    assertThat(version.getString("version")).isNotBlank();
    assertThat(version.getString("buildSha")).isEqualTo(GitHead.sha()).isEqualTo(infoCommit);
    assertThat(Instant.parse(version.getString("builtAt"))).isBefore(Instant.now());
    assertThat(Instant.parse(version.getString("startedAt"))).isBefore(Instant.now());
  }

  @Test
  void readyWithoutAnyInfrastructure() {
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void buildInfoMetricCarriesTheBuildThisProcessReports() {
    String sha = given().get("/version").then().statusCode(200).extract().path("buildSha");
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();

    assertThat(metrics)
        .containsPattern("backfill_build_info\\{[^}]*build_sha=\"" + sha + "\"[^}]*\\} 1\\.0");
  }

  @Test
  void livenessAndPrometheusMetricsAreServed() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();

    assertThat(metrics).contains("jvm_memory_used_bytes");
  }
}
