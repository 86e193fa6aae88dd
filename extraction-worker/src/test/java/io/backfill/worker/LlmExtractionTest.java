package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.domain.ExtractedGraph.Mention;
import io.backfill.worker.domain.LlmGraph;
import io.backfill.worker.persistence.GraphStore;
import io.backfill.worker.support.LlmStandIns;
import io.backfill.worker.support.Runs;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The LLM phase against the outlook-simulator's chat completions (a child process, real HTTP) and a
 * stand-in for the gateway's credentials endpoint: each fault mode gives its outcome, counted in
 * {@code llm_outcomes_total} and reported in ChunkExtracted. Each tenant has a model of its own in
 * the simulator, with its fault rule ({@link LlmStandIns}). Test bounds: call timeout 10 s, two
 * retries, backoff 100 ms – 2 s, two calls at once, LLM phase 25 s, attempt deadline 45 s.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = LlmStandIns.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LlmExtractionTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Instant RECEIVED = Instant.parse("2024-03-01T09:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  // Read from the config, not injected: an injection point would be validated for every test
  // class's application, where LlmStandIns does not run.
  private String simulatorUrl;
  private String gatewayUrl;

  @Inject MeterRegistry metrics;
  @Inject GraphStore graphs;

  private TestProducer producer;
  private RecordTap runEvents;
  private RecordTap results;

  @BeforeEach
  void setUp() {
    simulatorUrl = ConfigProvider.getConfig().getValue("backfill.test.simulator-url", String.class);
    gatewayUrl = ConfigProvider.getConfig().getValue("backfill.test.gateway-url", String.class);
    String servers = KafkaBroker.shared().bootstrapServers();
    producer = new TestProducer(servers);
    runEvents = RecordTap.open(servers, Topics.RUN_EVENTS);
    results = RecordTap.open(servers, Topics.EXTRACTION_RESULTS);
  }

  @AfterEach
  void tearDown() {
    producer.close();
    runEvents.close();
    results.close();
  }

  @Test
  @Order(1)
  void aTenantWithoutAKeyIsSkippedVisiblyWithoutAnyCallToTheModel() throws Exception {
    long callsBefore = simulatorCalls(null, null);
    double skippedBefore = outcomes("skipped_no_key");

    ChunkExtracted first = extract(LlmStandIns.NO_KEY_TENANT, 3);
    ChunkExtracted second = extract(LlmStandIns.NO_KEY_TENANT, 2);

    for (ChunkExtracted extracted : List.of(first, second)) {
      assertThat(extracted.llm().status()).isEqualTo(LlmStatus.SKIPPED_NO_KEY);
      assertThat(extracted.llm().calls()).isZero();
    }
    assertThat(outcomes("skipped_no_key") - skippedBefore).isEqualTo(2);
    assertThat(simulatorCalls(null, null)).isEqualTo(callsBefore);
    // "No key" is believed for a while: the second chunk did not ask the gateway again.
    assertThat(gatewayAsked(LlmStandIns.NO_KEY_TENANT)).isEqualTo(1);
  }

  @Test
  @Order(2)
  void theModelReadsTheWholeBodyAndItsPeopleBecomeMentionsAndRelationships() throws Exception {
    String tenant = LlmStandIns.DEFAULT_TENANT;
    List<JsonNode> people = groundTruthPeople(6);
    assertThat(people).hasSize(6);
    List<MailMessage> messages = new ArrayList<>();
    for (int i = 0; i < people.size(); i++) {
      JsonNode person = people.get(i);
      // Named only past the 255-character preview: found only if the whole body is sent.
      String body =
          "Notes from the weekly review of the budget and the roadmap. ".repeat(8)
              + "Please loop in "
              + person.path("name").asText()
              + " ("
              + person.path("email").asText()
              + ") before Friday.";
      messages.add(message(tenant, i, body));
    }
    double okBefore = outcomes("ok");

    ChunkExtracted extracted = extract(tenant, messages);

    assertThat(extracted.llm().status()).isEqualTo(LlmStatus.OK);
    assertThat(extracted.llm().calls()).isEqualTo(6);
    assertThat(extracted.llm().failures()).isZero();
    assertThat(outcomes("ok") - okBefore).isEqualTo(6);
    List<Mention> llmMentions =
        mentionsOf(tenant).stream().filter(m -> m.roles().contains(LlmGraph.LLM_ROLE)).toList();
    List<String> expected =
        people.stream().map(p -> "person:" + p.path("email").asText().toLowerCase()).toList();
    // The simulator keeps 90 % of what is true (the same way for the same prompt).
    assertThat(llmMentions.stream().map(Mention::entityKey).filter(expected::contains).distinct())
        .hasSizeGreaterThanOrEqualTo(4);
    assertThat(extracted.entities()).isGreaterThan(ruleEntitiesOf(messages));
  }

  @Test
  @Order(3)
  void emptyContentGoesToTheFallbackModel() throws Exception {
    double before = outcomes("empty_content");
    LlmOutcome llm = extract("t-empty", 3).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.RECOVERED);
    assertThat(llm.fallbacks()).isEqualTo(3);
    assertThat(llm.calls()).isEqualTo(6);
    assertThat(llm.failures()).isZero();
    assertThat(outcomes("empty_content") - before).isEqualTo(3);
    assertThat(simulatorCalls("t-empty", "gpt-4o-mini")).isEqualTo(3);
  }

  @Test
  @Order(4)
  void nullContentGoesToTheFallbackModel() throws Exception {
    LlmOutcome llm = extract("t-null", 2).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.RECOVERED);
    assertThat(llm.fallbacks()).isEqualTo(2);
    assertThat(llm.calls()).isEqualTo(4);
    assertThat(simulatorCalls("t-null", "gpt-4.1-mini")).isEqualTo(2);
  }

  @Test
  @Order(5)
  void fencedJsonIsRepaired() throws Exception {
    double before = outcomes("repaired");
    LlmOutcome llm = extract("t-fenced", 3).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.RECOVERED);
    assertThat(llm.repaired()).isEqualTo(3);
    assertThat(llm.calls()).isEqualTo(3);
    assertThat(outcomes("repaired") - before).isEqualTo(3);
  }

  @Test
  @Order(6)
  void jsonCutShortIsClosedAfterItsLastCompleteElement() throws Exception {
    LlmOutcome llm = extract("t-truncated", 3).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.RECOVERED);
    assertThat(llm.repaired()).isEqualTo(3);
    assertThat(llm.calls()).isEqualTo(3);
    assertThat(llm.failures()).isZero();
  }

  @Test
  @Order(7)
  void anAnswerThatBreaksTheSchemaIsTriedOnceMoreThenRecordedAsAFailureWithItsReason()
      throws Exception {
    double before = outcomes("invalid_json");
    ChunkExtracted extracted = extract("t-schema", 2);
    LlmOutcome llm = extracted.llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.FAILED);
    assertThat(llm.calls()).isEqualTo(4);
    assertThat(llm.failures()).isEqualTo(2);
    assertThat(llm.reason()).contains("invalid_json").contains("schema violation");
    assertThat(outcomes("invalid_json") - before).isEqualTo(4);
    // The rules' entities are written all the same; the chunk is not failed for it.
    assertThat(extracted.entities()).isPositive();
  }

  @Test
  @Order(8)
  void aRateLimitIsWaitedOutForItsRetryAfter() throws Exception {
    double before = outcomes("rate_limited");
    String tenant = "t-throttle";
    Chunk chunk = chunk(tenant, messages(tenant, 1));

    ChunkExtracted extracted = publishAndAwait(chunk);

    assertThat(extracted.llm().status()).isEqualTo(LlmStatus.OK);
    assertThat(extracted.llm().calls()).isEqualTo(3);
    assertThat(outcomes("rate_limited") - before).isEqualTo(2);
    // Two 429s with Retry-After: 1 each, honoured (the backoff alone would be 0.1 + 0.2 s).
    RunStarted started = only(chunk, RunStarted.class);
    assertThat(Duration.between(started.occurredAt(), extracted.occurredAt()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
  }

  @Test
  @Order(9)
  void aServerErrorIsRetried() throws Exception {
    double before = outcomes("server_error");
    LlmOutcome llm = extract("t-500", 1).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.OK);
    assertThat(llm.calls()).isEqualTo(2);
    assertThat(outcomes("server_error") - before).isEqualTo(1);
  }

  @Test
  @Order(10)
  void serverErrorsPastTheRetriesAreRecordedAsAFailure() throws Exception {
    LlmOutcome llm = extract("t-500-always", 1).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.FAILED);
    assertThat(llm.calls()).isEqualTo(3);
    assertThat(llm.reason()).contains("server_error").contains("500");
  }

  @Test
  @Order(11)
  void aRefusedKeyIsInvalidKeyForTheTenantAndNotRetriedPerMessage() throws Exception {
    double before = outcomes("invalid_key");
    LlmOutcome llm = extract(LlmStandIns.BAD_KEY_TENANT, 6).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.FAILED);
    assertThat(llm.reason()).contains("invalid_key");
    assertThat(llm.failures()).isEqualTo(6);
    // At most the calls already in flight when the first 401 came back (two at once).
    assertThat(llm.calls()).isBetween(1, 2);
    assertThat(outcomes("invalid_key") - before).isEqualTo(llm.calls());
  }

  @Test
  @Order(12)
  void reasoningOnlyModelsAreNeverChosen() throws Exception {
    LlmOutcome llm = extract("t-reasoning", 2).llm();
    LlmOutcome again = extract("t-reasoning", 1).llm();

    assertThat(llm.status()).isEqualTo(LlmStatus.OK);
    assertThat(again.status()).isEqualTo(LlmStatus.OK);
    assertThat(simulatorCalls("t-reasoning", "o3-mini")).isZero();
    assertThat(simulatorCalls("t-reasoning", "gpt-4o-mini")).isEqualTo(3);
    // The key is cached: two chunks, one question to the gateway.
    assertThat(gatewayAsked("t-reasoning")).isEqualTo(1);
  }

  @Test
  @Order(12)
  void aGatewayThatCannotSayWhetherTheTenantHasAKeyFailsTheAttemptRetryable() throws Exception {
    String tenant = LlmStandIns.GATEWAY_FAILS_TENANT;
    long callsBefore = simulatorCalls(null, null);
    Chunk chunk = chunk(tenant, messages(tenant, 2));

    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));

    await().atMost(WAIT).until(() -> !events(chunk, RunFailed.class).isEmpty());
    RunFailed failed = events(chunk, RunFailed.class).get(0);
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.error().type()).endsWith("CredentialsUnavailableException");
    assertThat(failed.error().message()).contains(tenant).contains("503");
    assertThat(Runs.resultsOf(results, chunk.runId().value())).isEmpty();
    assertThat(simulatorCalls(null, null)).isEqualTo(callsBefore);
  }

  @Test
  @Order(13)
  void aModelThatNeverAnswersEndsAtTheLlmDeadlineAndTheChunkIsStillExtracted() throws Exception {
    String tenant = "t-hang";
    Chunk chunk = chunk(tenant, messages(tenant, 2));
    double before = outcomes("deadline");

    ChunkExtracted extracted = publishAndAwait(chunk);

    assertThat(extracted.llm().status()).isEqualTo(LlmStatus.FAILED);
    assertThat(extracted.llm().failures()).isEqualTo(2);
    assertThat(extracted.llm().reason()).contains("deadline");
    assertThat(outcomes("deadline") - before).isEqualTo(2);
    RunStarted started = only(chunk, RunStarted.class);
    Duration took = Duration.between(started.occurredAt(), extracted.occurredAt());
    assertThat(took)
        .isGreaterThanOrEqualTo(Duration.ofSeconds(24))
        .isLessThan(Duration.ofSeconds(45));
    await().atMost(WAIT).until(() -> !events(chunk, RunCompleted.class).isEmpty());
    assertThat(events(chunk, RunFailed.class)).isEmpty();
  }

  @Test
  @Order(14)
  void aSlowModelChunkTakingFiveStaleThresholdsCompletesAndIsNeverStale() throws Exception {
    String tenant = "t-slow";
    // 16 calls of 2 s, two at once: about 16 s, five times the stale threshold of 3 s.
    Chunk chunk = chunk(tenant, messages(tenant, 16));

    ChunkExtracted extracted = publishAndAwait(chunk);
    await().atMost(WAIT).until(() -> !events(chunk, RunCompleted.class).isEmpty());

    assertThat(extracted.llm().status()).isEqualTo(LlmStatus.OK);
    RunStarted started = only(chunk, RunStarted.class);
    long staleAfterMs = Math.max(1_000, 3 * started.heartbeatIntervalMs());
    List<ConsumerRecord<String, String>> attempt = Runs.recordsOf(runEvents, chunk.runId().value());
    long first = attempt.get(0).timestamp();
    long last = attempt.get(attempt.size() - 1).timestamp();
    assertThat(last - first).isGreaterThanOrEqualTo(5 * staleAfterMs);
    // The monitor's rule on what run.events carried: never a gap of staleAfter between two
    // events of the running attempt.
    for (int i = 1; i < attempt.size(); i++) {
      assertThat(attempt.get(i).timestamp() - attempt.get(i - 1).timestamp())
          .isLessThan(staleAfterMs);
    }
    assertThat(events(chunk, RunFailed.class)).isEmpty();
  }

  // --- helpers

  private ChunkExtracted extract(String tenant, int count) throws Exception {
    return extract(tenant, messages(tenant, count));
  }

  private ChunkExtracted extract(String tenant, List<MailMessage> messages) {
    return publishAndAwait(chunk(tenant, messages));
  }

  private static Chunk chunk(String tenant, List<MailMessage> messages) {
    return Chunk.of(tenant, JobId.derive(tenant, UUID.randomUUID().toString()), 1, messages, false);
  }

  private ChunkExtracted publishAndAwait(Chunk chunk) {
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
    String run = chunk.runId().value();
    await().atMost(WAIT).until(() -> !Runs.resultsOf(results, run).isEmpty());
    return Runs.resultsOf(results, run).get(0);
  }

  private <T extends RunEvent> List<T> events(Chunk chunk, Class<T> type) {
    return Runs.eventsOf(runEvents, chunk.runId().value(), type);
  }

  private <T extends RunEvent> T only(Chunk chunk, Class<T> type) {
    List<T> events = events(chunk, type);
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  /** Messages naming people of the simulator's generated mail past the preview. */
  private List<MailMessage> messages(String tenant, int count) throws Exception {
    List<JsonNode> people = groundTruthPeople(count);
    List<MailMessage> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      JsonNode person = people.get(i % people.size());
      messages.add(
          message(
              tenant,
              i,
              "Minutes of the planning call. ".repeat(10)
                  + "Action for "
                  + person.path("name").asText()
                  + " <"
                  + person.path("email").asText()
                  + ">: send the figures."));
    }
    return messages;
  }

  private static MailMessage message(String tenant, int i, String body) {
    String id = "AAMk-" + tenant + "-" + UUID.randomUUID().toString().substring(0, 8) + "-" + i;
    return new MailMessage(
        id,
        "<" + id + "@contoso.com>",
        "conv-" + tenant,
        "Planning " + i,
        RECEIVED.plus(i, ChronoUnit.MINUTES),
        null,
        new Recipient("Ann Lee", "ann@contoso.com"),
        List.of(new Recipient("Bob Roe", "bob@fabrikam.com")),
        List.of(),
        body,
        false);
  }

  /** Rule entities of these hand-built messages: Ann, Bob, two organisations, thread, dates. */
  private static int ruleEntitiesOf(List<MailMessage> messages) {
    long dates =
        messages.stream().map(m -> m.receivedAt().truncatedTo(ChronoUnit.DAYS)).distinct().count();
    return (int) (2 + 2 + 1 + dates);
  }

  /** People (name, email) of alice@contoso.com's generated mail, distinct, in order. */
  private List<JsonNode> groundTruthPeople(int count) throws IOException, InterruptedException {
    JsonNode truth =
        get(simulatorUrl + "/admin/mailboxes/alice@contoso.com/ground-truth?offset=0&limit=50");
    List<JsonNode> people = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    JsonNode items = truth.isArray() ? truth : truth.path("items");
    for (JsonNode item : items) {
      for (JsonNode entity : item.path("groundTruth").path("entities")) {
        String email = entity.path("email").asText("");
        if (entity.path("type").asText().equals("PERSON")
            && email.contains("@")
            && !email.equals("alice@contoso.com")
            && !seen.contains(email)) {
          seen.add(email);
          people.add(entity);
        }
      }
    }
    assertThat(people).isNotEmpty();
    return people.subList(0, Math.min(count, people.size()));
  }

  /** Chat-completion calls the simulator counted, for a tenant and model (null: all). */
  private long simulatorCalls(String tenant, String model)
      throws IOException, InterruptedException {
    long total = 0;
    for (JsonNode count : get(simulatorUrl + "/admin/counters")) {
      if (count.path("endpoint").asText().equals("chat.completions")
          && (tenant == null || tenant.equals(count.path("tenant").asText(null)))
          && (model == null || model.equals(count.path("target").asText(null)))) {
        total += count.path("count").asLong();
      }
    }
    return total;
  }

  private int gatewayAsked(String tenant) throws IOException, InterruptedException {
    return get(gatewayUrl + "/counts").path(tenant).asInt();
  }

  private static JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  @Transactional
  List<Mention> mentionsOf(String tenant) {
    return graphs.mentionsOf(tenant);
  }

  private double outcomes(String outcome) {
    return metrics.find("llm_outcomes_total").tag("outcome", outcome).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}
