package io.backfill.worker;

import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.VersionAndHealthContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;

@QuarkusTest
@QuarkusTestResource(value = BackfillInfrastructure.class, restrictToAnnotatedClass = true)
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
