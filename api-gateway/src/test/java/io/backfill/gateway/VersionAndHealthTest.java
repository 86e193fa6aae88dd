package io.backfill.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.VersionAndHealthContract;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class VersionAndHealthTest extends VersionAndHealthContract {

  @Override
  protected String service() {
    return "api-gateway";
  }

  @Override
  protected List<String> readinessChecks() {
    return List.of("Kafka", "Database");
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
