package io.backfill.fetcher;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.Postgres;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.ServiceProcess;
import io.backfill.testkit.TestDatabase;
import io.backfill.testkit.TestProducer;
import io.restassured.http.ContentType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged fetcher on a broker of this test's own, which the test stops mid-job: heartbeats go
 * unacknowledged, sends fail and are counted, and the attempt stops itself (self-fencing) instead
 * of paging on as a zombie the ledger may already have given to someone else. Its checkpoint stays.
 */
class FetcherSelfFencingIT {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final Instant FROM = Instant.parse("2024-12-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-02T00:00:00Z");
  private static final String DIRECTORY = "contoso-tenant";

  private KafkaBroker broker;
  private TestDatabase database;
  private ServiceProcess simulator;
  private ServiceProcess fetcher;
  private TestProducer producer;
  private RecordTap chunks;

  @BeforeEach
  void setUp() {
    broker = KafkaBroker.create();
    broker.start();
    database = Postgres.instance().createDatabase("ffence");
    simulator =
        ServiceProcess.start(
            "outlook-simulator",
            Map.of(
                "backfill.simulator.mailbox-end",
                "2026-01-01T00:00:00Z",
                "backfill.simulator.graph.tenants." + DIRECTORY + ".client-id",
                "backfill-app",
                "backfill.simulator.graph.tenants." + DIRECTORY + ".client-secret",
                "backfill-secret"));
    Map<String, String> config = new HashMap<>();
    config.put("kafka.bootstrap.servers", broker.bootstrapServers());
    config.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
    config.put("quarkus.datasource.username", database.username());
    config.put("quarkus.datasource.password", database.password());
    config.put("backfill.graph.base-url", simulator.baseUrl());
    config.put("quarkus.oidc-client.auth-server-url", simulator.baseUrl() + "/" + DIRECTORY);
    config.put("quarkus.oidc-client.client-id", "backfill-app");
    config.put("quarkus.oidc-client.credentials.client-secret.value", "backfill-secret");
    config.put("quarkus.log.console.json.enabled", "false");
    // The simulator's one directory for every tenant (static connection, any tenant): dev only.
    config.put("quarkus.profile", "dev");
    // Fences itself after 3 s without an acknowledged heartbeat: far above an ack's usual delay.
    config.put("backfill.fetcher.heartbeat-interval", "500ms");
    config.put("backfill.fetcher.self-fence-after-intervals", "6");
    config.put("backfill.fetcher.publish-timeout", "5s");
    // A send to a broker that is gone fails within seconds, so failed heartbeats get counted.
    for (String channel : List.of("run-events", "backfill-chunks", "job-events")) {
      config.put("mp.messaging.outgoing." + channel + ".request.timeout.ms", "2000");
      config.put("mp.messaging.outgoing." + channel + ".delivery.timeout.ms", "4000");
    }
    fetcher = ServiceProcess.start("ingest-fetcher", config);
    producer = new TestProducer(broker.bootstrapServers());
    chunks = RecordTap.open(broker.bootstrapServers(), Topics.BACKFILL_CHUNKS);
  }

  @AfterEach
  void tearDown() {
    if (chunks != null) {
      chunks.close();
    }
    if (producer != null) {
      producer.close();
    }
    if (fetcher != null) {
      fetcher.close();
    }
    if (simulator != null) {
      simulator.close();
    }
    if (database != null) {
      database.drop();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void attemptWhoseHeartbeatsCannotBeSentStopsItselfAndKeepsItsCheckpoint() throws SQLException {
    String tenant = "contoso-" + UUID.randomUUID();
    String mailbox = "box-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
    given()
        .baseUri(simulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(Map.of("address", mailbox, "size", 2350, "seed", 7))
        .post("/admin/mailboxes")
        .then()
        .statusCode(201);
    given()
        .baseUri(simulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(Map.of("target", mailbox, "kind", "latency", "times", 0, "latencyMs", 400))
        .post("/admin/faults")
        .then()
        .statusCode(201);
    BackfillRequested request =
        BackfillRequested.of(tenant, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    JobId job = JobId.derive(tenant, request.requestId());
    producer.send(Topics.BACKFILL_REQUESTS, request.key(), EventJson.toJson(request));
    String prefix = "extract:" + job.value() + ":";
    await()
        .atMost(WAIT)
        .until(
            () -> chunks.records().stream().filter(r -> r.key().startsWith(prefix)).count() >= 3);

    broker.stop();

    await("the attempt fences itself")
        .atMost(WAIT)
        .until(() -> metric("backfill_fetcher_attempts_total", "self_fenced") >= 1);
    await("failed heartbeats are counted")
        .atMost(WAIT)
        .until(() -> metric("backfill_fetcher_heartbeats_total", "failed") >= 1);
    // The fenced attempt asks Graph for nothing more.
    long pagesAsked = graphPageRequests(mailbox);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> graphPageRequests(mailbox) == pagesAsked);
    assertThat(pagesAsked).isLessThan(24);
    assertThat(metric("backfill_fetcher_attempts_total", "completed")).isZero();
    // Handed back with its checkpoint, for the ledger's retry on any instance.
    try (Connection connection =
            DriverManager.getConnection(
                database.jdbcUrl(), database.username(), database.password());
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT status, pages_published, attempt_id, last_error_type FROM fetcher.jobs"
                    + " WHERE job_id = ?::uuid")) {
      query.setString(1, job.value());
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString("status")).isEqualTo("running");
        assertThat(row.getInt("pages_published")).isBetween(3, 23);
        assertThat(row.getString("attempt_id")).isNull();
        assertThat(row.getString("last_error_type")).isEqualTo("SelfFenced");
      }
    }
  }

  /** A counter's value by outcome, from the fetcher's Prometheus endpoint. */
  private double metric(String name, String outcome) {
    String text = given().baseUri(fetcher.baseUrl()).get("/q/metrics").then().extract().asString();
    return text.lines()
        .filter(line -> line.startsWith(name + "{"))
        .filter(line -> line.contains("outcome=\"" + outcome + "\""))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private long graphPageRequests(String mailbox) {
    List<Map<String, Object>> counters =
        given()
            .baseUri(simulator.baseUrl())
            .get("/admin/counters")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("$");
    return counters.stream()
        .filter(c -> "messages".equals(c.get("endpoint")) && mailbox.equals(c.get("target")))
        .mapToLong(c -> ((Number) c.get("count")).longValue())
        .sum();
  }
}
