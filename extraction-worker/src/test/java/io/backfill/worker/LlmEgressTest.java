package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.support.EgressStandIns;
import io.backfill.worker.support.Runs;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where the LLM client may send a tenant's mail, and what of the provider's answer may leave the
 * worker. Tenants' base URLs come from a credentials stand-in ({@link EgressStandIns}); the test
 * profile allows plain http to 127.0.0.1 (the stand-ins), nothing else.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = EgressStandIns.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class LlmEgressTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Inject MeterRegistry metrics;
  @Inject AgroalDataSource dataSource;

  private TestProducer producer;
  private RecordTap runEvents;
  private RecordTap results;
  private RecordTap deadChunks;
  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          String message =
              record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
          StringWriter line = new StringWriter().append(record.getLoggerName()).append(' ');
          line.append(String.valueOf(message));
          if (record.getThrown() != null) {
            record.getThrown().printStackTrace(new PrintWriter(line));
          }
          logLines.add(line.toString());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void setUp() {
    String servers = KafkaBroker.shared().bootstrapServers();
    producer = new TestProducer(servers);
    runEvents = RecordTap.open(servers, Topics.RUN_EVENTS);
    results = RecordTap.open(servers, Topics.EXTRACTION_RESULTS);
    deadChunks = RecordTap.open(servers, Topics.deadLetterOf(Topics.BACKFILL_CHUNKS));
    // Every level: a debug line with the key would be as bad as a warning, were it enabled.
    capture.setLevel(Level.ALL);
    Logger.getLogger("").addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    Logger.getLogger("").removeHandler(capture);
    producer.close();
    runEvents.close();
    results.close();
    deadChunks.close();
  }

  @Test
  void aBaseUrlAtTheMetadataServiceIsRefusedWithoutAnyCallAndTheChunkStillCompletes() {
    double refusedBefore = counter("backfill_worker_llm_endpoint_refused_total");
    long callsBefore = llmCallsTimed();

    Chunk chunk = chunk(EgressStandIns.METADATA_TENANT, 3);
    LlmOutcome llm = publishAndAwait(chunk).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.FAILED);
    assertThat(llm.calls()).isZero();
    assertThat(llm.failures()).isEqualTo(3);
    assertThat(llm.reason()).startsWith("llm-endpoint-refused: metadata");
    assertThat(counter("backfill_worker_llm_endpoint_refused_total") - refusedBefore).isEqualTo(1);
    assertThat(llmCallsTimed()).isEqualTo(callsBefore);
    await()
        .atMost(WAIT)
        .until(() -> !Runs.eventsOf(runEvents, runId(chunk), RunCompleted.class).isEmpty());
    // Logged once, with the tenant, job and run.
    assertThat(logLines.stream().filter(l -> l.contains("refused for job")))
        .singleElement()
        .asString()
        .contains(EgressStandIns.METADATA_TENANT)
        .contains(chunk.jobId().value())
        .contains(runId(chunk));
  }

  @Test
  void privateAndUserInfoBaseUrlsAreRefusedByTheirRule() {
    LlmOutcome privateNet = publishAndAwait(chunk(EgressStandIns.PRIVATE_TENANT, 1)).llm();
    LlmOutcome userInfo = publishAndAwait(chunk(EgressStandIns.USERINFO_TENANT, 1)).llm();

    assertThat(privateNet.reason()).startsWith("llm-endpoint-refused: private");
    assertThat(privateNet.calls()).isZero();
    assertThat(userInfo.reason()).startsWith("llm-endpoint-refused: userinfo");
    assertThat(userInfo.calls()).isZero();
  }

  @Test
  void aRedirectIsNotFollowedItsTargetIsNeverCalledAndTheOutcomeIsAFailure() throws Exception {
    int targetBefore = hits().path("target").asInt();
    int llmBefore = hits().path("llm").asInt();

    LlmOutcome llm = publishAndAwait(chunk(EgressStandIns.REDIRECT_TENANT, 2)).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.FAILED);
    assertThat(llm.reason()).contains("rejected").contains("307");
    assertThat(hits().path("llm").asInt() - llmBefore).isEqualTo(2);
    assertThat(hits().path("target").asInt()).isEqualTo(targetBefore);
  }

  @Test
  void aRefusedKeyEchoedByTheProviderAppearsInNoRecordRowOrLogLine() throws Exception {
    Chunk chunk = chunk(EgressStandIns.ECHO_TENANT, 2);

    LlmOutcome llm = publishAndAwait(chunk).llm();
    await()
        .atMost(WAIT)
        .until(() -> !Runs.eventsOf(runEvents, runId(chunk), RunCompleted.class).isEmpty());

    // The provider was asked and answered 401 with the key in its message.
    assertThat(hits().path("llm").asInt()).isPositive();
    assertThat(llm.status()).isEqualTo(LlmStatus.FAILED);
    assertThat(llm.reason())
        .contains("invalid_key")
        .contains("Incorrect API key provided: [redacted]");
    String marker = EgressStandIns.MARKER;
    assertThat(runEvents.values()).isNotEmpty().noneMatch(v -> v.contains(marker));
    assertThat(results.values()).isNotEmpty().noneMatch(v -> v.contains(marker));
    assertThat(deadChunks.values()).noneMatch(v -> v.contains(marker));
    assertThat(rowsContaining(marker)).isEmpty();
    assertThat(logLines).isNotEmpty().noneMatch(l -> l.contains(marker));
    // The log did see the chunk's LLM outcome, redacted.
    assertThat(logLines).anyMatch(l -> l.contains(runId(chunk)) && l.contains("[redacted]"));
  }

  // --- helpers

  private ChunkExtracted publishAndAwait(Chunk chunk) {
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
    await().atMost(WAIT).until(() -> !Runs.resultsOf(results, runId(chunk)).isEmpty());
    return Runs.resultsOf(results, runId(chunk)).get(0);
  }

  private static String runId(Chunk chunk) {
    return chunk.runId().value();
  }

  private static Chunk chunk(String tenant, int count) {
    List<MailMessage> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = "AAMk-" + tenant + "-" + UUID.randomUUID().toString().substring(0, 8);
      messages.add(
          new MailMessage(
              id,
              "<" + id + "@contoso.com>",
              "conv-" + tenant,
              "Budget " + i,
              Instant.parse("2024-03-01T09:00:00Z"),
              null,
              new Recipient("Ann Lee", "ann@contoso.com"),
              List.of(new Recipient("Bob Roe", "bob@fabrikam.com")),
              List.of(),
              "Please send the figures.",
              false));
    }
    return Chunk.of(tenant, JobId.derive(tenant, UUID.randomUUID().toString()), 1, messages, false);
  }

  /** Rows of any table in the worker's schema whose text contains the needle. */
  private List<String> rowsContaining(String needle) throws Exception {
    List<String> found = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT table_name FROM information_schema.tables WHERE table_schema = 'extraction'"
                  + " AND table_type = 'BASE TABLE'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables).contains("documents", "completed_runs");
      for (String table : tables) {
        try (ResultSet rs =
            statement.executeQuery("SELECT t::text FROM extraction." + table + " t")) {
          while (rs.next()) {
            if (rs.getString(1).contains(needle)) {
              found.add(table + ": " + rs.getString(1));
            }
          }
        }
      }
    }
    return found;
  }

  private double counter(String name) {
    return metrics.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private long llmCallsTimed() {
    var timer = metrics.find("backfill_worker_llm_call").timer();
    return timer == null ? 0 : timer.count();
  }

  private static JsonNode hits() throws Exception {
    String url = ConfigProvider.getConfig().getValue("backfill.test.egress-url", String.class);
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/hits"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }
}
