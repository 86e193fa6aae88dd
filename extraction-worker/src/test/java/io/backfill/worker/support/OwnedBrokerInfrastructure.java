package io.backfill.worker.support;

import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.Postgres;
import io.backfill.testkit.TestDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A broker the test owns (it may stop and start it) and a fresh database: for chaos tests that cut
 * the worker off from Kafka without touching the broker other test classes share.
 */
public class OwnedBrokerInfrastructure implements QuarkusTestResourceLifecycleManager {

  private static KafkaBroker broker;
  private TestDatabase database;

  /** The broker of the running resource. */
  public static KafkaBroker broker() {
    return broker;
  }

  @Override
  public Map<String, String> start() {
    broker = KafkaBroker.create();
    broker.start();
    database = Postgres.instance().createDatabase("workerchaos");
    return Map.of(
        "kafka.bootstrap.servers", broker.bootstrapServers(),
        "quarkus.datasource.jdbc.url", database.jdbcUrl(),
        "quarkus.datasource.username", database.username(),
        "quarkus.datasource.password", database.password());
  }

  @Override
  public void stop() {
    if (database != null) {
      database.drop();
    }
    if (broker != null) {
      broker.close();
    }
  }
}
