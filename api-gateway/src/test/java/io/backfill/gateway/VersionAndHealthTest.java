package io.backfill.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.GitHead;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
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

    assertThat(version.getString("service")).isEqualTo("api-gateway");
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

  @Test
  void openApiDocumentsEveryEndpointWithItsProblemsAndSwaggerUiIsServed() {
    String openApi =
        given()
            .queryParam("format", "json")
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .asString();

    assertThat(openApi)
        .contains(
            "\"/api/v1/backfills\"",
            "/api/v1/backfills/{jobId}",
            "/api/v1/backfills/{jobId}/pause",
            "/api/v1/backfills/{jobId}/resume",
            "/api/v1/backfills/{jobId}/cancel",
            "/api/v1/backfills/{jobId}/events",
            "/api/v1/tenant/secrets/{name}",
            "/api/v1/admin/tenants",
            "/api/v1/admin/tenants/{tenantId}/api-keys",
            "/api/v1/admin/tenants/{tenantId}/api-keys/{keyId}",
            "/api/v1/tenant/api-keys",
            "/api/v1/tenant/api-keys/{keyId}",
            "/api/v1/admin/secrets/keys",
            "/api/v1/admin/secrets/rotate",
            "IssuedApiKey",
            "ApiKeyList",
            "/api/v1/ops/lag",
            "/api/v1/ops/fleet",
            "/api/v1/graph/consent",
            "/api/v1/graph/consent/callback",
            "/api/v1/tenant/graph",
            "/api/v1/admin/tenants/{tenantId}/graph-directory",
            "/api/v1/admin/tenants/{tenantId}/suspend",
            "application/problem+json",
            "SubmitBackfill",
            "BackfillStatus",
            "Problem",
            "bearer")
        .doesNotContain("/internal/v1");
    given().get("/q/swagger-ui/").then().statusCode(200);
  }
}
