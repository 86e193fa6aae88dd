package io.backfill.gateway;

import static io.restassured.RestAssured.given;

import io.backfill.contracts.event.ChangeCounts;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.Event;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.TestProducer;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Tenants, keys and events for the gateway's tests; the tokens are the %test profile's. */
final class GatewayFixtures {

  static final String ADMIN_TOKEN = "test-admin-token";
  static final String SERVICE_TOKEN = "test-service-token";
  static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
  static final Instant TO = Instant.parse("2024-07-01T00:00:00Z");

  private static final Map<String, String> KEYS = new ConcurrentHashMap<>();

  private GatewayFixtures() {}

  /** An API key of the tenant, creating the tenant when needed (one key per tenant per app). */
  static String keyOf(String tenantId) {
    return KEYS.computeIfAbsent(tenantId, GatewayFixtures::issueKey);
  }

  /** Forgets cached keys: each Quarkus app (test class) has its own database. */
  static void forgetKeys() {
    KEYS.clear();
  }

  private static String issueKey(String tenantId) {
    var created =
        given()
            .auth()
            .oauth2(ADMIN_TOKEN)
            .contentType("application/json")
            .body(Map.of("tenantId", tenantId, "name", tenantId))
            .post("/api/v1/admin/tenants");
    if (created.statusCode() == 201) {
      return created.jsonPath().getString("apiKey");
    }
    return given()
        .auth()
        .oauth2(ADMIN_TOKEN)
        .post("/api/v1/admin/tenants/{tenantId}/api-keys", tenantId)
        .then()
        .statusCode(201)
        .extract()
        .jsonPath()
        .getString("apiKey");
  }

  static RequestSpecification as(String tenantId) {
    return given().auth().oauth2(keyOf(tenantId));
  }

  static RequestSpecification asAdmin() {
    return given().auth().oauth2(ADMIN_TOKEN);
  }

  /** A request to the internal port, without a token. */
  static RequestSpecification internal() {
    return given().port(internalPort());
  }

  /** A request to the internal port with the service token. */
  static RequestSpecification asService() {
    return internal().auth().oauth2(SERVICE_TOKEN);
  }

  /** The port the internal server chose (configured 0 in tests). */
  static int internalPort() {
    return io.quarkus.arc.Arc.container()
        .instance(io.backfill.gateway.api.InternalServer.class)
        .get()
        .port();
  }

  /** Every row of every table of the gateway's schema as text (bytea as hex). */
  static String dumpOfTheGatewaySchema(javax.sql.DataSource dataSource) throws Exception {
    StringBuilder dump = new StringBuilder();
    try (java.sql.Connection connection = dataSource.getConnection();
        java.sql.Statement statement = connection.createStatement()) {
      java.util.List<String> tables = new java.util.ArrayList<>();
      try (java.sql.ResultSet rs =
          statement.executeQuery(
              "SELECT table_name FROM information_schema.tables WHERE table_schema = 'gateway'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String table : tables) {
        try (java.sql.ResultSet rs =
            statement.executeQuery("SELECT t::text FROM gateway." + table + " t")) {
          while (rs.next()) {
            dump.append(rs.getString(1)).append('\n');
          }
        }
      }
    }
    return dump.toString();
  }

  /** Captures every log record (message, parameters, exception) while open. */
  static final class CapturedLogs extends java.util.logging.Handler implements AutoCloseable {
    final java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

    CapturedLogs() {
      java.util.logging.Logger.getLogger("").addHandler(this);
    }

    @Override
    public void publish(java.util.logging.LogRecord record) {
      lines.add(
          record.getMessage()
              + " "
              + java.util.Arrays.toString(record.getParameters())
              + " "
              + record.getThrown());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      java.util.logging.Logger.getLogger("").removeHandler(this);
    }
  }

  static TestProducer producer() {
    return new TestProducer(KafkaBroker.shared().bootstrapServers());
  }

  static void publish(TestProducer producer, Event event) {
    String topic;
    String key;
    if (event instanceof JobEvent job) {
      topic = Topics.JOB_EVENTS;
      key = job.key();
    } else if (event instanceof RunEvent run) {
      topic = Topics.RUN_EVENTS;
      key = run.key();
    } else if (event instanceof RunControlEvent control) {
      topic = Topics.RUN_CONTROL;
      key = control.key();
    } else if (event instanceof ChunkExtracted extracted) {
      topic = Topics.EXTRACTION_RESULTS;
      key = extracted.key();
    } else {
      throw new IllegalArgumentException("no topic for " + event);
    }
    producer.send(topic, key, EventJson.toJson(event));
  }

  static JobAccepted accepted(String tenantId, String requestId, String mailbox) {
    return new JobAccepted(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        JobId.derive(tenantId, requestId),
        requestId,
        mailbox,
        FROM,
        TO,
        null);
  }

  static RunStarted extractStarted(
      String tenantId, JobId job, int seq, AttemptId attempt, String worker, String sha) {
    return RunStarted.of(
        tenantId,
        RunId.extract(job, seq),
        attempt,
        worker,
        sha,
        5_000,
        new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, seq));
  }

  static ChunkExtracted extracted(String tenantId, JobId job, int seq, int messages) {
    return extracted(tenantId, job, seq, messages, null);
  }

  /** A chunk's result with what it changed (null: a worker that predates following). */
  static ChunkExtracted extracted(
      String tenantId, JobId job, int seq, int messages, ChangeCounts changes) {
    return new ChunkExtracted(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        job,
        RunId.extract(job, seq),
        seq,
        AttemptId.random(),
        messages,
        messages * 3,
        messages,
        messages,
        new LlmOutcome(LlmStatus.OK, messages, 0, 0, 0, null),
        changes);
  }
}
