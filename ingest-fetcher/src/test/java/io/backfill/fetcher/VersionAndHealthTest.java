package io.backfill.fetcher;

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
    return "ingest-fetcher";
  }

  @Override
  protected List<String> readinessChecks() {
    return List.of("Kafka", "Database");
  }

  @Test
  void requestMetricsAreServedFromTheStart() {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();

    assertThat(metrics).contains("backfill_fetcher_requests_total{outcome=\"accepted\"}");
  }
}
