package io.backfill.worker;

import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.VersionAndHealthContract;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class VersionAndHealthTest extends VersionAndHealthContract {

  @Override
  protected String service() {
    return "extraction-worker";
  }

  @Override
  protected List<String> readinessChecks() {
    return List.of("Kafka", "Database");
  }
}
