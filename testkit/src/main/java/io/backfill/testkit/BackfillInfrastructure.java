package io.backfill.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * The Quarkus test resource giving a service a real Kafka broker and a fresh PostgreSQL database.
 *
 * <p>Use it as {@code @WithTestResource(value = BackfillInfrastructure.class, scope =
 * TestResourceScope.RESTRICTED_TO_CLASS)}: each annotated test class then gets its own empty
 * database, while every test class of the JVM shares one broker ({@link KafkaBroker#shared()}).
 * Init args ({@code initArgs = @ResourceArg(name = ..., value = ...)}):
 *
 * <ul>
 *   <li>{@code db-prefix}: database name prefix, default {@code bf};
 *   <li>{@code database=false}: no database, no datasource properties (services without one);
 *   <li>{@code kafka=false}: no broker, no {@code kafka.bootstrap.servers}.
 * </ul>
 */
public class BackfillInfrastructure implements QuarkusTestResourceLifecycleManager {

  private String dbPrefix = "bf";
  private boolean database = true;
  private boolean kafka = true;
  private TestDatabase testDatabase;

  @Override
  public void init(Map<String, String> initArgs) {
    dbPrefix = initArgs.getOrDefault("db-prefix", dbPrefix);
    database = Boolean.parseBoolean(initArgs.getOrDefault("database", "true"));
    kafka = Boolean.parseBoolean(initArgs.getOrDefault("kafka", "true"));
  }

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>();
    // Dev Services are off in every service's application.properties: they are fixed at build time,
    // so setting them here would only earn a "cannot be changed at runtime" warning.
    if (kafka) {
      config.put("kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers());
    }
    if (database) {
      testDatabase = Postgres.instance().createDatabase(dbPrefix);
      config.put("quarkus.datasource.jdbc.url", testDatabase.jdbcUrl());
      config.put("quarkus.datasource.username", testDatabase.username());
      config.put("quarkus.datasource.password", testDatabase.password());
    }
    return config;
  }

  /** Drops this resource's database; the shared broker lives until the JVM exits. */
  @Override
  public void stop() {
    if (testDatabase != null) {
      testDatabase.drop();
      testDatabase = null;
    }
  }

  /** The database of the running resource, or null when none was requested or it is stopped. */
  public TestDatabase database() {
    return testDatabase;
  }
}
