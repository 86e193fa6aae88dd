package io.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BackfillInfrastructureTest {

  @Test
  void eachResourceGetsItsOwnDatabaseAndAllShareOneBroker() {
    BackfillInfrastructure first = resource(Map.of("db-prefix", "infra_test"));
    BackfillInfrastructure second = resource(Map.of());
    try {
      Map<String, String> one = first.start();
      Map<String, String> two = second.start();

      assertThat(one.get("quarkus.datasource.jdbc.url"))
          .contains("/infra_test_")
          .isNotEqualTo(two.get("quarkus.datasource.jdbc.url"));
      assertThat(two.get("quarkus.datasource.jdbc.url")).contains("/bf_");
      assertThat(one.get("kafka.bootstrap.servers"))
          .isEqualTo(two.get("kafka.bootstrap.servers"))
          .isEqualTo(KafkaBroker.shared().bootstrapServers());
      assertThat(one).containsKeys("quarkus.datasource.username", "quarkus.datasource.password");
    } finally {
      first.stop();
      second.stop();
    }
  }

  @Test
  void stopDropsTheDatabase() {
    BackfillInfrastructure resource = resource(Map.of());
    resource.start();
    String name = resource.database().name();
    assertThat(Postgres.instance().databaseExists(name)).isTrue();

    resource.stop();

    assertThat(Postgres.instance().databaseExists(name)).isFalse();
  }

  @Test
  void databaseAndKafkaCanEachBeLeftOut() {
    BackfillInfrastructure noDatabase = resource(Map.of("database", "false"));
    BackfillInfrastructure noKafka = resource(Map.of("kafka", "false"));
    try {
      assertThat(noDatabase.start())
          .containsKey("kafka.bootstrap.servers")
          .doesNotContainKeys("quarkus.datasource.jdbc.url", "quarkus.datasource.username");
      assertThat(noKafka.start())
          .containsKey("quarkus.datasource.jdbc.url")
          .doesNotContainKey("kafka.bootstrap.servers");
    } finally {
      noDatabase.stop();
      noKafka.stop();
    }
  }

  private static BackfillInfrastructure resource(Map<String, String> args) {
    BackfillInfrastructure resource = new BackfillInfrastructure();
    resource.init(args);
    return resource;
  }
}
