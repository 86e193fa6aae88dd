package io.backfill.fetcher;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkEvent;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.event.TimeoutDiagnosis;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
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
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged fetcher as its own process, killed with SIGKILL in the middle of a job and started
 * again: the job goes on from its checkpoint. The test plays the heartbeat monitor's part (the
 * attempt went silent → RunTimedOut, then RetryDue), with the static Graph connection the simulator
 * setup uses. Runs under failsafe, after {@code package} built the jar.
 */
class FetcherKillAndRestartIT {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final Instant FROM = Instant.parse("2024-12-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-02T00:00:00Z");
  private static final String DIRECTORY = "contoso-tenant";

  private TestDatabase database;
  private ServiceProcess simulator;
  private ServiceProcess fetcher;
  private TestProducer producer;
  private RecordTap chunks;
  private RecordTap runEvents;

  @BeforeEach
  void setUp() {
    String bootstrap = KafkaBroker.shared().bootstrapServers();
    database = Postgres.instance().createDatabase("fkill");
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
    config.put("kafka.bootstrap.servers", bootstrap);
    config.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
    config.put("quarkus.datasource.username", database.username());
    config.put("quarkus.datasource.password", database.password());
    config.put("backfill.graph.base-url", simulator.baseUrl());
    config.put("quarkus.oidc-client.auth-server-url", simulator.baseUrl() + "/" + DIRECTORY);
    config.put("quarkus.oidc-client.client-id", "backfill-app");
    config.put("quarkus.oidc-client.credentials.client-secret.value", "backfill-secret");
    config.put("backfill.fetcher.heartbeat-interval", "1s");
    config.put("backfill.fetcher.self-fence-after-intervals", "10");
    config.put("quarkus.log.console.json.enabled", "false");
    // The simulator's one directory for every tenant (static connection, any tenant): dev only.
    config.put("quarkus.profile", "dev");
    // The killed process stays a member of its consumer groups until its session times out; the
    // broker's minimum keeps the restarted one from waiting 45 s for run.control.
    for (String channel : List.of("backfill-requests", "backfill-commands", "run-control")) {
      config.put("mp.messaging.incoming." + channel + ".session.timeout.ms", "6000");
      config.put("mp.messaging.incoming." + channel + ".heartbeat.interval.ms", "1000");
    }
    fetcher = ServiceProcess.start("ingest-fetcher", config);
    producer = new TestProducer(bootstrap);
    chunks = RecordTap.open(bootstrap, Topics.BACKFILL_CHUNKS);
    runEvents = RecordTap.open(bootstrap, Topics.RUN_EVENTS);
  }

  @AfterEach
  void tearDown() {
    if (chunks != null) {
      chunks.close();
    }
    if (runEvents != null) {
      runEvents.close();
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
  }

  @Test
  void killedMidJobAndRestartedTheFetcherResumesFromItsCheckpointWithExactChunks()
      throws SQLException {
    String tenant = "contoso-" + UUID.randomUUID();
    String mailbox = "box-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
    createMailbox(mailbox, 2350);
    // Slow pages, so the kill lands mid-job: 24 pages of 400 ms.
    addLatency(mailbox, 400);
    BackfillRequested request =
        BackfillRequested.of(tenant, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    JobId job = JobId.derive(tenant, request.requestId());
    producer.send(Topics.BACKFILL_REQUESTS, request.key(), EventJson.toJson(request));

    await().atMost(WAIT).until(() -> chunksOf(job).size() >= 5);
    fetcher.kill();
    // Killed mid-job: some pages checkpointed, not all.
    assertThat(pagesPublished(job)).isBetween(4, 23);

    fetcher.start();
    RunStarted first = ofType(runEventsOf(job), RunStarted.class).get(0);
    // What the monitor does for an attempt whose heartbeats stopped.
    control(
        new RunTimedOut(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            first.runId(),
            first.attemptId(),
            1,
            new TimeoutDiagnosis(
                TimeoutDiagnosis.RULE_STALE, Lane.FETCH, 3_000L, 1_000, 3_000L, null, null, null)));
    control(
        new RetryDue(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            RunId.fetch(job),
            Lane.FETCH,
            first.attemptId(),
            2,
            "stale: no heartbeat",
            null));

    await("RunCompleted of job " + job)
        .atMost(WAIT)
        .until(() -> runEventsOf(job).stream().anyMatch(RunCompleted.class::isInstance));
    RunCompleted completed = ofType(runEventsOf(job), RunCompleted.class).get(0);
    assertThat(completed.attemptId()).isNotEqualTo(first.attemptId());
    assertThat(completed.chunks()).isEqualTo(24);
    assertThat(completed.messages()).isEqualTo(2350);

    List<Chunk> published = chunksOf(job);
    Map<Integer, Long> perSeq =
        published.stream().collect(Collectors.groupingBy(Chunk::seq, Collectors.counting()));
    assertThat(perSeq.keySet())
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 24).boxed().toList());
    // Only the page in flight at the kill is published twice, with its seq.
    assertThat(perSeq.values().stream().filter(n -> n > 1).count()).isLessThanOrEqualTo(1);
    Map<Integer, Chunk> bySeq =
        published.stream().collect(Collectors.toMap(Chunk::seq, c -> c, (a, b) -> a));
    assertThat(bySeq.values().stream().flatMap(c -> c.messages().stream()).map(MailMessage::id))
        .hasSize(2350)
        .doesNotHaveDuplicates();
    // Graph was asked for 24 pages, plus at most the one re-fetched.
    assertThat(graphPageRequests(mailbox)).isBetween(24L, 25L);
    assertThat(pagesPublished(job)).isEqualTo(24);
  }

  private void createMailbox(String mailbox, int size) {
    given()
        .baseUri(simulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(Map.of("address", mailbox, "size", size, "seed", 7))
        .post("/admin/mailboxes")
        .then()
        .statusCode(201);
  }

  private void addLatency(String mailbox, long millis) {
    given()
        .baseUri(simulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(Map.of("target", mailbox, "kind", "latency", "times", 0, "latencyMs", millis))
        .post("/admin/faults")
        .then()
        .statusCode(201);
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

  private int pagesPublished(JobId job) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(
                database.jdbcUrl(), database.username(), database.password());
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT pages_published FROM fetcher.jobs WHERE job_id = ?::uuid")) {
      query.setString(1, job.value());
      try (ResultSet rows = query.executeQuery()) {
        assertThat(rows.next()).as("job row of " + job).isTrue();
        return rows.getInt(1);
      }
    }
  }

  private void control(RunControlEvent event) {
    producer.send(Topics.RUN_CONTROL, event.key(), EventJson.toJson(event));
  }

  private List<Chunk> chunksOf(JobId job) {
    String prefix = "extract:" + job.value() + ":";
    return chunks.records().stream()
        .filter(r -> r.key().startsWith(prefix))
        .map(r -> (Chunk) EventJson.fromJson(r.value(), ChunkEvent.class))
        .toList();
  }

  private List<RunEvent> runEventsOf(JobId job) {
    String key = RunId.fetch(job).value();
    return runEvents.records().stream()
        .filter(r -> key.equals(r.key()))
        .map(r -> EventJson.fromJson(r.value(), RunEvent.class))
        .toList();
  }

  private static <E, T extends E> List<T> ofType(List<E> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
