package io.backfill.worker.support;

import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.Postgres;
import io.backfill.testkit.TestDatabase;
import java.util.HashMap;
import java.util.Map;

/**
 * A fresh broker with a SASL_PLAINTEXT listener, which the worker reaches only through it (its
 * Quarkus settings name the SASL listener and the credentials), and a fresh database. The test
 * itself reads and writes through the broker's plaintext listener.
 */
public class SaslBrokerInfrastructure
    implements io.quarkus.test.common.QuarkusTestResourceLifecycleManager {

  private static KafkaBroker broker;
  private TestDatabase database;

  /** The broker of the running resource. */
  public static KafkaBroker broker() {
    return broker;
  }

  @Override
  public Map<String, String> start() {
    broker = KafkaBroker.createWithSasl();
    broker.start();
    database = Postgres.instance().createDatabase("workersasl");
    Map<String, String> config = new HashMap<>(broker.saslClientProperties());
    config.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
    config.put("quarkus.datasource.username", database.username());
    config.put("quarkus.datasource.password", database.password());
    return config;
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
