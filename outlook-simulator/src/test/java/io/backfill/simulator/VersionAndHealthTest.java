package io.backfill.simulator;

import io.backfill.testkit.VersionAndHealthContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;

/** The simulator has no broker and no database, so it needs no test infrastructure. */
@QuarkusTest
class VersionAndHealthTest extends VersionAndHealthContract {

  @Override
  protected String service() {
    return "outlook-simulator";
  }

  @Override
  protected List<String> readinessChecks() {
    return List.of();
  }
}
