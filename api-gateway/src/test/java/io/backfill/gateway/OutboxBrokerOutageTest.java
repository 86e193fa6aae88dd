package io.backfill.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.Postgres;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A submission made while the broker is down is accepted, stays in the outbox while the relay's
 * sends fail, and is published once the broker is back. The gateway gets a broker of its own, which
 * the test stops and starts.
 */
@QuarkusTest
@TestProfile(OutboxBrokerOutageTest.ShortPublishTimeout.class)
@WithTestResource(
    value = OutboxBrokerOutageTest.OwnBroker.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OutboxBrokerOutageTest {

  /** Sends give up after 2 s, so the relay reports a failed send soon after the broker stops. */
  public static class ShortPublishTimeout implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("backfill.gateway.submit.publish-timeout", "2s");
    }
  }

  /**
   * A broker this test class owns and a fresh database. The broker is injected into the test's
   * {@code ownBroker} field as a plain object and driven by reflection: the test may run in another
   * class loader than this resource.
   */
  public static class OwnBroker implements QuarkusTestResourceLifecycleManager {
    private KafkaBroker broker;
    private TestDatabase database;

    @Override
    public Map<String, String> start() {
      broker = KafkaBroker.create();
      broker.start();
      database = Postgres.instance().createDatabase("gwoutage");
      return Map.of(
          "kafka.bootstrap.servers", broker.bootstrapServers(),
          "quarkus.datasource.jdbc.url", database.jdbcUrl(),
          "quarkus.datasource.username", database.username(),
          "quarkus.datasource.password", database.password());
    }

    @Override
    public void inject(TestInjector injector) {
      injector.injectIntoFields(broker, field -> field.getName().equals("ownBroker"));
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

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TENANT = "adatum";

  @Inject MeterRegistry metrics;

  /** The broker of {@link OwnBroker}, set by it. */
  Object ownBroker;

  @BeforeAll
  static void newDatabase() {
    GatewayFixtures.forgetKeys();
  }

  private void broker(String action) throws Exception {
    ownBroker.getClass().getMethod(action).invoke(ownBroker);
  }

  private String bootstrapServers() throws Exception {
    return (String) ownBroker.getClass().getMethod("bootstrapServers").invoke(ownBroker);
  }

  private double failures() {
    var counter =
        metrics
            .find("backfill_gateway_outbox_publish_failures_total")
            .tags("topic", Topics.BACKFILL_REQUESTS)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private double pending() {
    var gauge = metrics.find("backfill_gateway_outbox_pending").gauge();
    return gauge == null ? -1 : gauge.value();
  }

  @Test
  void submissionWhileTheBrokerIsDownStaysStoredAndIsPublishedWhenItIsBack() throws Exception {
    String key = UUID.randomUUID().toString();
    GatewayFixtures.keyOf(TENANT);
    double failuresBefore = failures();

    broker("stop");
    try {
      GatewayFixtures.as(TENANT)
          .contentType("application/json")
          .header("Idempotency-Key", key)
          .body(
              "{\"mailbox\":\"dee@adatum.example\",\"from\":\"2024-01-01T00:00:00Z\","
                  + "\"to\":\"2024-02-01T00:00:00Z\"}")
          .post("/api/v1/backfills")
          .then()
          .statusCode(202);

      await().atMost(WAIT).until(() -> failures() > failuresBefore);
      assertThat(pending()).isGreaterThanOrEqualTo(1);
    } finally {
      broker("start");
    }

    try (RecordTap requests = RecordTap.open(bootstrapServers(), Topics.BACKFILL_REQUESTS)) {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  requests.records().stream()
                      .map(r -> EventJson.fromJson(r.value(), BackfillRequested.class))
                      .filter(r -> r.requestId().equals(key))
                      .count(),
              n -> n >= 1);
      await().atMost(WAIT).until(() -> pending() == 0);
    }
  }
}
