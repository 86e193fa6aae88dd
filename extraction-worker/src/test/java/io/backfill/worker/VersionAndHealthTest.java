package io.backfill.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.GitHead;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = BackfillInfrastructure.class, restrictToAnnotatedClass = true)
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

    assertThat(version.getString("service")).isEqualTo("extraction-worker");
    assertThat(version.getString("version")).isNotBlank();
    assertThat(version.getString("buildSha")).isEqualTo(GitHead.sha()).isEqualTo(infoCommit);
    assertThat(Instant.parse(version.getString("builtAt"))).isBefore(Instant.now());
    assertThat(Instant.parse(version.getString("startedAt"))).isBefore(Instant.now());
  }

  @Test
  void readinessChecksBothKafkaAndTheDatabase() {
    JsonPath health =
        given()
            .get("/q/health/ready")
            .then()
            .statusCode(200)
            .body("status", equalTo("UP"))
            .extract()
            .jsonPath();

    List<String> checks = health.getList("checks.name");
    assertThat(checks).anyMatch(name -> name.contains("Kafka"));
    assertThat(checks).anyMatch(name -> name.contains("Database"));
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
