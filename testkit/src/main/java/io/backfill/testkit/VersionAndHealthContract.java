package io.backfill.testkit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every Backfill service serves, as deploy checks and dashboards read it: {@code /version}
 * with the commit the process was built from (the same as {@code /q/info}), the gauge {@code
 * backfill_build_info} labelled with that build, liveness, readiness with the service's own checks,
 * and Prometheus metrics. A service's test extends it as a {@code @QuarkusTest} with its test
 * resources.
 */
public abstract class VersionAndHealthContract {

  /** The service's name, as {@code /version} reports it. */
  protected abstract String service();

  /** Words that the names of the readiness checks must contain (e.g. Kafka, Database). */
  protected abstract List<String> readinessChecks();

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

    assertThat(version.getString("service")).isEqualTo(service());
    assertThat(version.getString("version")).isNotBlank();
    assertThat(version.getString("buildSha")).isEqualTo(GitHead.sha()).isEqualTo(infoCommit);
    assertThat(Instant.parse(version.getString("builtAt"))).isBefore(Instant.now());
    assertThat(Instant.parse(version.getString("startedAt"))).isBefore(Instant.now());
  }

  @Test
  void readyWithTheChecksOfItsInfrastructure() {
    JsonPath health =
        given()
            .get("/q/health/ready")
            .then()
            .statusCode(200)
            .body("status", equalTo("UP"))
            .extract()
            .jsonPath();

    List<String> checks = health.getList("checks.name");
    for (String expected : readinessChecks()) {
      assertThat(checks).anyMatch(name -> name.contains(expected));
    }
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
