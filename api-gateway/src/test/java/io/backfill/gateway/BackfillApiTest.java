package io.backfill.gateway;

import static io.backfill.gateway.GatewayFixtures.accepted;
import static io.backfill.gateway.GatewayFixtures.as;
import static io.backfill.gateway.GatewayFixtures.asAdmin;
import static io.backfill.gateway.GatewayFixtures.extractStarted;
import static io.backfill.gateway.GatewayFixtures.extracted;
import static io.backfill.gateway.GatewayFixtures.publish;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.ChangeCounts;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.FollowJob;
import io.backfill.contracts.event.FollowRoundCompleted;
import io.backfill.contracts.event.FollowStarted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.JobResumed;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.ResumeJob;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class BackfillApiTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static TestProducer producer;
  private static RecordTap requests;
  private static RecordTap commands;

  @Inject AgroalDataSource dataSource;

  @BeforeAll
  static void openTopics() {
    GatewayFixtures.forgetKeys();
    producer = GatewayFixtures.producer();
    requests = RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.BACKFILL_REQUESTS);
    commands = RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.BACKFILL_COMMANDS);
  }

  @AfterAll
  static void closeTopics() {
    requests.close();
    commands.close();
    producer.close();
  }

  private static String body(String mailbox, String from, String to) {
    return "{\"mailbox\":\"" + mailbox + "\",\"from\":\"" + from + "\",\"to\":\"" + to + "\"}";
  }

  private static Response submit(String tenant, String key, String body) {
    var request = as(tenant).contentType("application/json").body(body);
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return request.post("/api/v1/backfills");
  }

  private static List<BackfillRequested> requestsOf(String tenant) {
    return requests.records().stream()
        .filter(r -> r.key().startsWith(tenant + "/"))
        .map(r -> EventJson.fromJson(r.value(), BackfillRequested.class))
        .toList();
  }

  private static List<BackfillCommand> commandsFor(String jobId) {
    return commands.records().stream()
        .filter(r -> jobId.equals(r.key()))
        .map(r -> EventJson.fromJson(r.value(), BackfillCommand.class))
        .toList();
  }

  private static JsonPath statusOf(String tenant, String jobId) {
    var response = as(tenant).get("/api/v1/backfills/{jobId}", jobId);
    return response.statusCode() == 200 ? response.jsonPath() : null;
  }

  private static JsonPath awaitStatus(String tenant, String jobId, String status) {
    return await()
        .atMost(WAIT)
        .until(
            () -> statusOf(tenant, jobId), s -> s != null && status.equals(s.getString("status")));
  }

  @Test
  void callsWithoutAKeyOrWithAnUnknownKeyAreRefusedWith401Problems() {
    for (String path : List.of("/api/v1/backfills", "/api/v1/ops/lag", "/api/v1/ops/fleet")) {
      given()
          .get(path)
          .then()
          .statusCode(401)
          .contentType("application/problem+json")
          .header("WWW-Authenticate", "Bearer")
          .body("status", equalTo(401));
      given().auth().oauth2("bfk_not-a-key").get(path).then().statusCode(401);
    }
    given()
        .contentType("application/json")
        .body(body("ana@contoso.com", "2024-01-01", "2024-02-01"))
        .post("/api/v1/backfills")
        .then()
        .statusCode(401);
    GatewayFixtures.internal()
        .get("/internal/v1/tenants/acme/llm-credentials")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", "Bearer");
  }

  @Test
  void anIssuedKeyWorksAndOnlyItsHashIsStored() throws Exception {
    Response created =
        asAdmin()
            .contentType("application/json")
            .body(Map.of("tenantId", "hashed-keys", "name", "Hashed Keys Ltd"))
            .post("/api/v1/admin/tenants");
    created
        .then()
        .statusCode(201)
        .header("Location", org.hamcrest.Matchers.endsWith("/hashed-keys"));
    String key = created.jsonPath().getString("apiKey");

    given().auth().oauth2(key).get("/api/v1/backfills").then().statusCode(200);
    String sha256 =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    assertThat(dumpOfTheGatewaySchema()).contains(sha256).doesNotContain(key);
    asAdmin()
        .contentType("application/json")
        .body(Map.of("tenantId", "hashed-keys"))
        .post("/api/v1/admin/tenants")
        .then()
        .statusCode(409);
  }

  @Test
  void tenantKeysCannotUseAdminOrOpsEndpoints() {
    for (String path : List.of("/api/v1/ops/lag", "/api/v1/ops/fleet")) {
      as("plain-tenant").get(path).then().statusCode(403).contentType("application/problem+json");
    }
    as("plain-tenant")
        .contentType("application/json")
        .body(Map.of("tenantId", "sneaky"))
        .post("/api/v1/admin/tenants")
        .then()
        .statusCode(403);
    asAdmin().get("/api/v1/backfills").then().statusCode(403);
  }

  @Test
  void submittedBackfillIsPublishedAndAnsweredWithItsJobAndLocation() {
    String key = "req-" + UUID.randomUUID();

    Response response =
        submit("acme", key, body("Ana@Contoso.com", "2024-01-01T00:00:00Z", "2024-03-01"));

    String jobId = JobId.derive("acme", key).value();
    response
        .then()
        .statusCode(202)
        .header("Location", org.hamcrest.Matchers.endsWith("/api/v1/backfills/" + jobId))
        .body("jobId", equalTo(jobId))
        .body("requestId", equalTo(key));
    BackfillRequested published =
        await()
            .atMost(WAIT)
            .until(
                () -> requestsOf("acme").stream().filter(r -> key.equals(r.requestId())).toList(),
                list -> list.size() == 1)
            .get(0);
    assertThat(published.tenantId()).isEqualTo("acme");
    assertThat(published.mailbox()).isEqualTo("ana@contoso.com");
    assertThat(published.from()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    assertThat(published.to()).isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
    assertThat(published.folder()).isNull();
    // Before the fetcher accepts it, the job is already visible as pending.
    JsonPath status = statusOf("acme", jobId);
    assertThat(status.getString("status")).isEqualTo("pending");
    assertThat(status.getString("mailbox")).isEqualTo("ana@contoso.com");
  }

  @Test
  void sameIdempotencyKeyNamesTheSameJobAndPublishesOneRequest() {
    String key = "retry-" + UUID.randomUUID();
    String request = body("bob@contoso.com", "2024-01-01", "2024-02-01");

    String first = submit("acme", key, request).then().statusCode(202).extract().path("jobId");
    String second = submit("acme", key, request).then().statusCode(202).extract().path("jobId");

    assertThat(second).isEqualTo(first).isEqualTo(JobId.derive("acme", key).value());
    await()
        .during(Duration.ofSeconds(2))
        .atMost(WAIT)
        .until(
            () -> requestsOf("acme").stream().filter(r -> key.equals(r.requestId())).count(),
            n -> n == 1);
    submit("acme", key, body("bob@contoso.com", "2024-01-01", "2024-03-01"))
        .then()
        .statusCode(422)
        .contentType("application/problem+json");
    // Without a key every submission is a new job.
    String third = submit("acme", null, request).then().statusCode(202).extract().path("jobId");
    assertThat(third).isNotEqualTo(first);
  }

  @Test
  void invalidRequestsAreRefusedWithFieldErrorsAndNothingIsPublished() {
    String tenant = "careless";
    String tooLarge =
        "{\"mailbox\":\"ana@contoso.com\",\"from\":\"2024-01-01\",\"to\":\"2024-02-01\",\"note\":\""
            + "x".repeat(9000)
            + "\"}";
    record Case(String contentType, String idempotencyKey, String body, List<String> fields) {}
    List<Case> cases =
        List.of(
            new Case(
                "application/json",
                null,
                body("not-an-address", "2024-01-01", "2024-02-01"),
                List.of("mailbox")),
            new Case(
                "application/json",
                null,
                body("ana@contoso.com", "2024-02-01", "2024-02-01"),
                List.of("to")),
            new Case(
                "application/json",
                null,
                body("ana@contoso.com", "2024-03-01", "2024-02-01"),
                List.of("to")),
            new Case("application/json", null, "{}", List.of("mailbox", "from", "to")),
            new Case(
                "application/json",
                null,
                body("ana@contoso.com", "last tuesday", "2024-13-45"),
                List.of("from", "to")),
            new Case(
                "application/json",
                null,
                body("ana@contoso.com", "2018-01-01", "2024-01-01"),
                List.of("to")),
            new Case(
                "application/json",
                null,
                "{\"mailbox\":\"ana@contoso.com\",\"from\":\"2024-01-01\",\"to\":\"2024-02-01\",\"folderr\":\"inbox\"}",
                List.of("folderr")),
            new Case("application/json", null, tooLarge, List.of("body")),
            new Case(
                "text/plain",
                null,
                body("ana@contoso.com", "2024-01-01", "2024-02-01"),
                List.of("Content-Type")),
            new Case("application/json", null, "{\"mailbox\": ", List.of("body")),
            new Case("application/json", null, "[1, 2]", List.of("body")),
            new Case(
                "application/json",
                "has spaces in it",
                body("ana@contoso.com", "2024-01-01", "2024-02-01"),
                List.of("Idempotency-Key")));

    for (Case c : cases) {
      var request = as(tenant).contentType(c.contentType()).body(c.body());
      if (c.idempotencyKey() != null) {
        request.header("Idempotency-Key", c.idempotencyKey());
      }
      JsonPath problem =
          request
              .post("/api/v1/backfills")
              .then()
              .statusCode(400)
              .contentType("application/problem+json")
              .body("type", org.hamcrest.Matchers.endsWith("/invalid-backfill-request"))
              .body("title", org.hamcrest.Matchers.notNullValue())
              .body("detail", org.hamcrest.Matchers.notNullValue())
              .extract()
              .jsonPath();
      assertThat(problem.getList("errors.field", String.class))
          .as("fields reported for %s", c)
          .containsExactlyInAnyOrderElementsOf(c.fields());
      assertThat(problem.getList("errors.message", String.class)).allMatch(m -> !m.isBlank());
    }
    await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> requestsOf(tenant).isEmpty());
  }

  @Test
  void everyFieldProblemOfASubmissionIsAnsweredAtOnceInTheApisWordsNotTheFrameworks() {
    JsonPath problem =
        submit(
                "careless-too",
                null,
                "{\"mailbox\":42,\"from\":\"1969-12-31\",\"to\":\"2024-13-45\","
                    + "\"folder\":\"in\\u0000box\",\"follow\":\"yes\","
                    + "\"followIntervalSeconds\":60,\"folderr\":\"inbox\"}")
            .then()
            .statusCode(400)
            .contentType("application/problem+json")
            .body("type", equalTo("https://backfill.io/problems/invalid-backfill-request"))
            .body("title", equalTo("Invalid request"))
            .body("detail", equalTo("The backfill request is invalid."))
            .extract()
            .jsonPath();
    assertThat(problem.getList("errors", Map.class))
        .containsExactly(
            Map.of(
                "field",
                "folderr",
                "message",
                "unknown field; accepted: mailbox, from, to, folder, follow, followIntervalSeconds"),
            Map.of(
                "field",
                "mailbox",
                "message",
                "must be an address like ana@contoso.com or a Graph user id (GUID)"),
            Map.of("field", "from", "message", "must lie between 1970-01-01 and 9999-12-31"),
            Map.of(
                "field",
                "to",
                "message",
                "must be an ISO-8601 date-time with offset (2024-01-01T00:00:00Z) or a date"
                    + " (2024-01-01)"),
            Map.of("field", "folder", "message", "must not contain control characters"),
            Map.of("field", "follow", "message", "when given, true or false"),
            Map.of("field", "followIntervalSeconds", "message", "only with \"follow\": true"));
    submit("careless-too", null, body("ana@contoso.com", "2024-03-01", "2024-02-01"))
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("to"))
        .body("errors[0].message", equalTo("must be after from (2024-03-01T00:00:00Z)"));
    submit("careless-too", null, body("ana@contoso.com", "2018-01-01", "2024-01-01"))
        .then()
        .statusCode(400)
        .body(
            "errors[0].message",
            equalTo("the window is 2191 days; at most 1826 days are accepted in one request"));
  }

  @Test
  void anotherTenantsJobIsNotFoundAndNeverListed() {
    String key = "private-" + UUID.randomUUID();
    String jobId =
        submit("tenant-a", key, body("ana@contoso.com", "2024-01-01", "2024-02-01"))
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    publish(producer, accepted("tenant-a", key, "ana@contoso.com"));
    awaitStatus("tenant-a", jobId, "pending");

    as("tenant-b")
        .get("/api/v1/backfills/{jobId}", jobId)
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    for (String command : List.of("pause", "resume", "cancel")) {
      as("tenant-b").post("/api/v1/backfills/{jobId}/" + command, jobId).then().statusCode(404);
    }
    assertThat(as("tenant-b").get("/api/v1/backfills").jsonPath().getList("items")).isEmpty();
    assertThat(commandsFor(jobId)).isEmpty();
  }

  @Test
  void jobsAreListedNewestFirstInPagesAndFilteredByStatusAndMailbox() {
    String tenant = "lister";
    List<String> jobs = new ArrayList<>();
    for (String mailbox : List.of("one@contoso.com", "two@contoso.com", "two@contoso.com")) {
      String requestId = UUID.randomUUID().toString();
      publish(producer, accepted(tenant, requestId, mailbox));
      jobs.add(JobId.derive(tenant, requestId).value());
    }
    JobId done = new JobId(jobs.get(0));
    publish(
        producer, new JobCompleted(UUID.randomUUID(), 1, Instant.now(), tenant, done, 1, 10, 0));
    await()
        .atMost(WAIT)
        .until(
            () ->
                as(tenant)
                    .queryParam("status", "completed")
                    .get("/api/v1/backfills")
                    .jsonPath()
                    .getList("items"),
            items -> items.size() == 1);

    JsonPath first = as(tenant).queryParam("limit", 2).get("/api/v1/backfills").jsonPath();
    assertThat(first.getList("items")).hasSize(2);
    String cursor = first.getString("nextCursor");
    assertThat(cursor).isNotNull();
    JsonPath second =
        as(tenant)
            .queryParam("limit", 2)
            .queryParam("cursor", cursor)
            .get("/api/v1/backfills")
            .jsonPath();
    assertThat(second.getList("items")).hasSize(1);
    assertThat(second.getString("nextCursor")).isNull();
    List<String> all = new ArrayList<>(first.getList("items.jobId", String.class));
    all.addAll(second.getList("items.jobId", String.class));
    assertThat(all).containsExactlyInAnyOrderElementsOf(jobs);
    List<String> createdAt = new ArrayList<>(first.getList("items.createdAt", String.class));
    createdAt.addAll(second.getList("items.createdAt", String.class));
    assertThat(createdAt)
        .isSortedAccordingTo((a, b) -> Instant.parse(b).compareTo(Instant.parse(a)));

    assertThat(
            as(tenant)
                .queryParam("mailbox", "TWO@contoso.com")
                .get("/api/v1/backfills")
                .jsonPath()
                .getList("items"))
        .hasSize(2);
    as(tenant)
        .queryParam("status", "exploded")
        .get("/api/v1/backfills")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("status"));
    as(tenant).queryParam("limit", 0).get("/api/v1/backfills").then().statusCode(400);
    as(tenant).queryParam("cursor", "garbage!").get("/api/v1/backfills").then().statusCode(400);
  }

  @Test
  void resumeIsAcceptedForEveryStateButCompletedAndPublishesTheCommand() {
    String tenant = "commander";
    Map<String, String> jobByState = new java.util.LinkedHashMap<>();
    for (String state :
        List.of("pending", "paused", "failed", "cancelled", "running", "completed")) {
      String requestId = UUID.randomUUID().toString();
      JobId job = JobId.derive(tenant, requestId);
      publish(producer, accepted(tenant, requestId, state + "@contoso.com"));
      switch (state) {
        case "paused" ->
            publish(
                producer,
                new JobPaused(UUID.randomUUID(), 1, Instant.now(), tenant, job, "by hand"));
        case "failed" ->
            publish(
                producer,
                new JobFailed(
                    UUID.randomUUID(),
                    1,
                    Instant.now(),
                    tenant,
                    job,
                    ErrorInfo.coded("ErrorAccessDenied", "no")));
        case "cancelled" ->
            publish(
                producer,
                new JobCancelled(UUID.randomUUID(), 1, Instant.now(), tenant, job, "by hand"));
        case "running" ->
            publish(
                producer,
                new JobFetchProgress(
                    UUID.randomUUID(), 1, Instant.now(), tenant, job, 1, 50, true));
        case "completed" ->
            publish(
                producer,
                new JobCompleted(UUID.randomUUID(), 1, Instant.now(), tenant, job, 1, 50, 0));
        default -> {}
      }
      awaitStatus(tenant, job.value(), state);
      jobByState.put(state, job.value());
    }

    jobByState.forEach(
        (state, jobId) -> {
          int expected = state.equals("completed") ? 409 : 202;
          as(tenant)
              .post("/api/v1/backfills/{jobId}/resume", jobId)
              .then()
              .statusCode(expected)
              .contentType(expected == 409 ? "application/problem+json" : "application/json");
        });
    for (String state : List.of("pending", "paused", "failed", "cancelled", "running")) {
      String jobId = jobByState.get(state);
      List<BackfillCommand> published =
          await().atMost(WAIT).until(() -> commandsFor(jobId), list -> !list.isEmpty());
      assertThat(published).singleElement().isInstanceOf(ResumeJob.class);
      assertThat(published.get(0).tenantId()).isEqualTo(tenant);
    }
    as(tenant)
        .post("/api/v1/backfills/{jobId}/pause", jobByState.get("running"))
        .then()
        .statusCode(202);
    as(tenant)
        .post("/api/v1/backfills/{jobId}/pause", jobByState.get("completed"))
        .then()
        .statusCode(409);
    as(tenant)
        .post("/api/v1/backfills/{jobId}/cancel", jobByState.get("completed"))
        .then()
        .statusCode(409);
    for (String refused : List.of("paused", "failed", "cancelled")) {
      as(tenant)
          .post("/api/v1/backfills/{jobId}/pause", jobByState.get(refused))
          .then()
          .statusCode(409)
          .contentType("application/problem+json");
    }
    as(tenant)
        .post("/api/v1/backfills/{jobId}/cancel", jobByState.get("cancelled"))
        .then()
        .statusCode(409);
    as(tenant)
        .post("/api/v1/backfills/{jobId}/cancel", jobByState.get("paused"))
        .then()
        .statusCode(202);
    assertThat(commandsFor(jobByState.get("completed"))).isEmpty();
  }

  @Test
  void followedSubmissionCarriesFollowAndItsIntervalAndBadFollowFieldsAreRefused() {
    String key = "follow-" + UUID.randomUUID();
    String window = "\"mailbox\":\"fay@contoso.com\",\"from\":\"2024-01-01\",\"to\":\"2024-02-01\"";

    submit("acme", key, "{" + window + ",\"follow\":true,\"followIntervalSeconds\":600}")
        .then()
        .statusCode(202);

    BackfillRequested published =
        await()
            .atMost(WAIT)
            .until(
                () -> requestsOf("acme").stream().filter(r -> key.equals(r.requestId())).toList(),
                list -> list.size() == 1)
            .get(0);
    assertThat(published.followed()).isTrue();
    assertThat(published.followIntervalSeconds()).isEqualTo(600);
    for (String bad :
        List.of(
            ",\"follow\":true,\"followIntervalSeconds\":0",
            ",\"follow\":true,\"followIntervalSeconds\":86401",
            ",\"follow\":true,\"followIntervalSeconds\":1.5",
            ",\"followIntervalSeconds\":60",
            ",\"follow\":false,\"followIntervalSeconds\":60",
            ",\"follow\":\"yes\"")) {
      submit("acme", null, "{" + window + bad + "}")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body(
              "errors.field",
              org.hamcrest.Matchers.hasItem(
                  bad.contains("Interval") ? "followIntervalSeconds" : "follow"));
    }
  }

  @Test
  void aCompletedJobIsFollowedOnRequestAndItsStatusShowsRoundsLagChangesAndResyncs() {
    String tenant = "follower";
    String requestId = UUID.randomUUID().toString();
    JobId job = JobId.derive(tenant, requestId);
    String runningId = UUID.randomUUID().toString();
    publish(producer, accepted(tenant, requestId, "gus@contoso.com"));
    publish(producer, extracted(tenant, job, 1, 10, new ChangeCounts(10, 0, 0, 0)));
    publish(producer, new JobCompleted(UUID.randomUUID(), 1, Instant.now(), tenant, job, 1, 10, 0));
    publish(producer, accepted(tenant, runningId, "hal@contoso.com"));
    awaitStatus(tenant, job.value(), "completed");
    awaitStatus(tenant, JobId.derive(tenant, runningId).value(), "pending");

    as(tenant)
        .contentType("application/json")
        .body("{\"followIntervalSeconds\":0}")
        .post("/api/v1/backfills/{jobId}/follow", job.value())
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    as("stranger").post("/api/v1/backfills/{jobId}/follow", job.value()).then().statusCode(404);
    as(tenant)
        .post("/api/v1/backfills/{jobId}/follow", JobId.derive(tenant, runningId).value())
        .then()
        .statusCode(409)
        .contentType("application/problem+json");
    as(tenant)
        .contentType("application/json")
        .body("{\"followIntervalSeconds\":120}")
        .post("/api/v1/backfills/{jobId}/follow", job.value())
        .then()
        .statusCode(202)
        .body("command", equalTo("follow"));

    List<BackfillCommand> sent =
        await().atMost(WAIT).until(() -> commandsFor(job.value()), list -> !list.isEmpty());
    assertThat(sent).singleElement().isInstanceOf(FollowJob.class);
    assertThat(((FollowJob) sent.get(0)).followIntervalSeconds()).isEqualTo(120);

    // The fetcher follows: two rounds (the second announced twice), their chunks extracted.
    Instant secondRound = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MICROS);
    publish(producer, FollowStarted.of(tenant, job, 120));
    publish(producer, round(tenant, job, 1, Instant.now().minusSeconds(200), 1));
    publish(producer, round(tenant, job, 2, secondRound, 0));
    publish(producer, round(tenant, job, 2, secondRound, 0));
    publish(
        producer,
        RunStarted.of(
            tenant, RunId.follow(job, 2), AttemptId.random(), "fetcher-1", "sha-f", 5_000, null));
    publish(producer, extracted(tenant, job, 2, 3, new ChangeCounts(1, 1, 1, 0)));
    publish(producer, extracted(tenant, job, 3, 0, new ChangeCounts(0, 0, 0, 2)));

    JsonPath status =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOf(tenant, job.value()),
                s ->
                    s != null
                        && s.getMap("follow") != null
                        && s.getLong("follow.rounds") == 2
                        && s.getLong("follow.changes.deleted") == 2
                        && s.getList("runs").size() == 1);
    assertThat(status.getString("status")).isEqualTo("completed");
    assertThat(status.getString("follow.state")).isEqualTo("following");
    assertThat(status.getInt("follow.intervalSeconds")).isEqualTo(120);
    assertThat(Instant.parse(status.getString("follow.lastRoundAt"))).isEqualTo(secondRound);
    assertThat(status.getLong("follow.lagSeconds")).isBetween(30L, 90L);
    assertThat(status.getLong("follow.changes.created")).isEqualTo(11);
    assertThat(status.getLong("follow.changes.updated")).isEqualTo(1);
    assertThat(status.getLong("follow.changes.unchanged")).isEqualTo(1);
    assertThat(status.getLong("follow.resyncs")).isEqualTo(1);
    assertThat(status.getString("runs[0].lane")).isEqualTo("follow");
    as(tenant)
        .post("/api/v1/backfills/{jobId}/follow", job.value())
        .then()
        .statusCode(409)
        .contentType("application/problem+json");
    assertThat(statusOf(tenant, JobId.derive(tenant, runningId).value()).getMap("follow")).isNull();
  }

  @Test
  void pauseResumeAndCancelOfAFollowedCompletedJobApplyToItsFollowingAndItStaysCompleted() {
    String tenant = "follow-commander";
    String requestId = UUID.randomUUID().toString();
    JobId job = JobId.derive(tenant, requestId);
    publish(producer, accepted(tenant, requestId, "ida@contoso.com"));
    publish(producer, FollowStarted.of(tenant, job, 300));
    publish(producer, new JobCompleted(UUID.randomUUID(), 1, Instant.now(), tenant, job, 1, 10, 0));
    awaitFollow(tenant, job, "following");

    as(tenant).post("/api/v1/backfills/{jobId}/pause", job.value()).then().statusCode(202);
    await().atMost(WAIT).until(() -> commandsFor(job.value()), list -> list.size() == 1);
    publish(producer, new JobPaused(UUID.randomUUID(), 1, Instant.now(), tenant, job, "by hand"));
    assertThat(awaitFollow(tenant, job, "paused").getString("status")).isEqualTo("completed");
    as(tenant).post("/api/v1/backfills/{jobId}/pause", job.value()).then().statusCode(409);

    as(tenant).post("/api/v1/backfills/{jobId}/resume", job.value()).then().statusCode(202);
    publish(producer, new JobResumed(UUID.randomUUID(), 1, Instant.now(), tenant, job, "by hand"));
    awaitFollow(tenant, job, "following");

    as(tenant).post("/api/v1/backfills/{jobId}/cancel", job.value()).then().statusCode(202);
    publish(
        producer, new JobCancelled(UUID.randomUUID(), 1, Instant.now(), tenant, job, "by hand"));
    assertThat(awaitFollow(tenant, job, "ended").getString("status")).isEqualTo("completed");
    for (String command : List.of("pause", "resume", "cancel", "follow")) {
      as(tenant)
          .post("/api/v1/backfills/{jobId}/" + command, job.value())
          .then()
          .statusCode(409)
          .contentType("application/problem+json");
    }
    assertThat(commandsFor(job.value()))
        .extracting(c -> c.getClass().getSimpleName())
        .containsExactly("PauseJob", "ResumeJob", "CancelJob");
  }

  private static JsonPath awaitFollow(String tenant, JobId job, String state) {
    return await()
        .atMost(WAIT)
        .until(
            () -> statusOf(tenant, job.value()),
            s -> s != null && state.equals(s.getString("follow.state")));
  }

  private static FollowRoundCompleted round(
      String tenant, JobId job, int round, Instant startedAt, int resynced) {
    return new FollowRoundCompleted(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenant,
        job,
        round,
        startedAt,
        2,
        3,
        2,
        resynced,
        4,
        null,
        null);
  }

  @Test
  void submittedJobShowsProgressFromTheTopicsUntilItIsCompleted() {
    String tenant = "flow";
    String key = "flow-" + UUID.randomUUID();
    String jobId =
        submit(tenant, key, body("ana@contoso.com", "2024-01-01", "2024-07-01"))
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    JobId job = new JobId(jobId);

    publish(producer, accepted(tenant, key, "ana@contoso.com"));
    publish(
        producer,
        new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), tenant, job, 2, 180, true));
    publish(producer, extractStarted(tenant, job, 1, AttemptId.random(), "worker-1", "sha-flow"));
    publish(producer, extracted(tenant, job, 1, 100));

    JsonPath halfway =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOf(tenant, jobId),
                s ->
                    // job.events and extraction.results arrive in any order: wait for both.
                    s != null
                        && s.getInt("progress.chunksDone") == 1
                        && s.getLong("progress.chunksKnown") == 2);
    assertThat(halfway.getString("status")).isEqualTo("running");
    assertThat(halfway.getLong("progress.chunksKnown")).isEqualTo(2);
    assertThat(halfway.getInt("progress.percent")).isEqualTo(50);
    assertThat(halfway.getBoolean("progress.hasMore")).isTrue();
    assertThat(halfway.getLong("progress.messagesFetched")).isEqualTo(180);
    assertThat(halfway.getLong("progress.messagesExtracted")).isEqualTo(100);

    // The fetcher ends paging; both chunks extracted is 100 % only once the job completes.
    publish(
        producer,
        new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), tenant, job, 2, 180, false));
    publish(producer, extracted(tenant, job, 2, 80));
    publish(producer, extracted(tenant, job, 2, 80));
    publish(
        producer, new JobCompleted(UUID.randomUUID(), 1, Instant.now(), tenant, job, 2, 180, 0));

    JsonPath completed = awaitStatus(tenant, jobId, "completed");
    assertThat(completed.getInt("progress.percent")).isEqualTo(100);
    assertThat(completed.getLong("progress.chunksDone")).isEqualTo(2);
    assertThat(completed.getLong("progress.messagesExtracted")).isEqualTo(180);
    assertThat(completed.getBoolean("progress.hasMore")).isFalse();
    assertThat(completed.getLong("counts.entities")).isEqualTo(540);
    assertThat(completed.getLong("counts.llmOutcomes.ok")).isEqualTo(2);
  }

  @Test
  void aChunkWhoseLlmPhaseFailedShowsItsReasonInTheJobsStatus() {
    String tenant = "llm-reasons";
    String key = "llm-reasons-" + UUID.randomUUID();
    String jobId =
        submit(tenant, key, body("ana@contoso.com", "2024-01-01", "2024-07-01"))
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    JobId job = new JobId(jobId);
    publish(producer, accepted(tenant, key, "ana@contoso.com"));
    String refused = "llm-endpoint-refused: private: 10.1.2.3 is a private network";
    for (int seq = 1; seq <= 2; seq++) {
      ChunkExtracted ok = extracted(tenant, job, seq, 10);
      publish(
          producer,
          new ChunkExtracted(
              ok.eventId(),
              ok.schemaVersion(),
              ok.occurredAt(),
              tenant,
              job,
              ok.runId(),
              seq,
              ok.attemptId(),
              10,
              30,
              0,
              10,
              new LlmOutcome(LlmStatus.FAILED, 0, 0, 0, 10, refused)));
    }
    publish(producer, extracted(tenant, job, 3, 10));

    JsonPath status =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOf(tenant, jobId),
                s -> s != null && s.getLong("progress.chunksDone") == 3);

    assertThat(status.getLong("counts.llmOutcomes.failed")).isEqualTo(2);
    assertThat(status.getLong("counts.llmOutcomes.ok")).isEqualTo(1);
    assertThat(status.getMap("counts.llmFailureReasons")).containsExactly(entry(refused, 2));
  }

  @Test
  void eventStreamDeliversProgressAndEndsWithTheJob() throws Exception {
    String tenant = "streamer";
    String requestId = UUID.randomUUID().toString();
    JobId job = JobId.derive(tenant, requestId);
    publish(producer, accepted(tenant, requestId, "ana@contoso.com"));
    awaitStatus(tenant, job.value(), "pending");
    String key = GatewayFixtures.keyOf(tenant);

    java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(
                    "http://localhost:"
                        + io.restassured.RestAssured.port
                        + "/api/v1/backfills/"
                        + job.value()
                        + "/events"))
            .header("Authorization", "Bearer " + key)
            .header("Accept", "text/event-stream")
            .timeout(java.time.Duration.ofSeconds(60))
            .build();
    java.util.concurrent.CompletableFuture<Void> reading =
        java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(5))
            .build()
            .sendAsync(request, java.net.http.HttpResponse.BodyHandlers.ofLines())
            .thenAccept(
                response -> {
                  assertThat(response.statusCode()).isEqualTo(200);
                  response.body().forEach(lines::add);
                });
    // The stream first shows the job pending; only then move it along, one step at a time.
    await().atMost(java.time.Duration.ofSeconds(30)).until(() -> dataLines(lines).size() >= 1);
    publish(
        producer,
        new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), tenant, job, 1, 100, true));
    publish(producer, extracted(tenant, job, 1, 100));
    await().atMost(java.time.Duration.ofSeconds(30)).until(() -> dataLines(lines).size() >= 2);
    publish(
        producer, new JobCompleted(UUID.randomUUID(), 1, Instant.now(), tenant, job, 1, 100, 0));

    reading.get(30, java.util.concurrent.TimeUnit.SECONDS);
    List<JsonPath> events =
        dataLines(lines).stream()
            .map(line -> new JsonPath(line.substring("data:".length())))
            .toList();
    assertThat(events).hasSizeGreaterThanOrEqualTo(2);
    assertThat(events.get(0).getString("status")).isEqualTo("pending");
    assertThat(events.get(events.size() - 1).getString("status")).isEqualTo("completed");
    assertThat(events).allMatch(e -> e.getInt("progress.percent") <= 100);
    as(tenant)
        .accept("text/event-stream")
        .get("/api/v1/backfills/{jobId}/events", UUID.randomUUID().toString())
        .then()
        .statusCode(404);
  }

  @Test
  void graphConnectionOfATenantsOwnAppIsServedToServicesOnlyAndIsNotFoundWithoutADirectory() {
    String tenant = "graph-tenant";
    String path = "/internal/v1/tenants/{tenantId}/graph-connection";
    GatewayFixtures.asService().get(path, tenant).then().statusCode(404);

    // Its own app first: only then may the tenant name its directory itself.
    for (String[] secret :
        List.of(
            new String[] {"Graph_Client_Id", "app-456"},
            new String[] {"graph_client_secret", "s3cr3t"},
            new String[] {"GRAPH_DIRECTORY_ID", "dir-123"})) {
      as(tenant)
          .contentType("application/json")
          .body(Map.of("value", secret[1]))
          .put("/api/v1/tenant/secrets/{name}", secret[0])
          .then()
          .statusCode(204);
    }

    GatewayFixtures.asService()
        .get(path, tenant)
        .then()
        .statusCode(200)
        .body("directoryId", equalTo("dir-123"))
        .body("clientId", equalTo("app-456"))
        .body("clientSecret", equalTo("s3cr3t"));
    GatewayFixtures.internal()
        .auth()
        .oauth2(GatewayFixtures.keyOf(tenant))
        .get(path, tenant)
        .then()
        .statusCode(401);
    GatewayFixtures.internal()
        .auth()
        .oauth2(GatewayFixtures.ADMIN_TOKEN)
        .get(path, tenant)
        .then()
        .statusCode(401);
  }

  @Test
  void secretStoredInAnyCaseIsFoundNormalisedAndItsPlaintextIsNowhere() throws Exception {
    String tenant = "byok";
    String plaintext = "sk-test-" + UUID.randomUUID();
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(
                String.valueOf(record.getMessage())
                    + " "
                    + java.util.Arrays.toString(record.getParameters())
                    + " "
                    + record.getThrown());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.addHandler(capture);
    List<String> responses = new ArrayList<>();
    try {
      GatewayFixtures.internal()
          .auth()
          .oauth2(GatewayFixtures.keyOf(tenant))
          .get("/internal/v1/tenants/{tenantId}/llm-credentials", tenant)
          .then()
          .statusCode(401);
      GatewayFixtures.asService()
          .get("/internal/v1/tenants/{tenantId}/llm-credentials", tenant)
          .then()
          .statusCode(404)
          .contentType("application/problem+json");

      Response put =
          as(tenant)
              .contentType("application/json")
              .body(Map.of("value", plaintext))
              .put("/api/v1/tenant/secrets/{name}", "OPENAI_API_KEY");
      put.then().statusCode(204);
      responses.add(put.asString());

      Response fetched =
          GatewayFixtures.asService()
              .get("/internal/v1/tenants/{tenantId}/llm-credentials", tenant);
      fetched
          .then()
          .statusCode(200)
          .body("apiKey", equalTo(plaintext))
          .body("tenantId", equalTo(tenant));

      as("other-tenant")
          .delete("/api/v1/tenant/secrets/{name}", "openai_api_key")
          .then()
          .statusCode(404);
      // bytea columns print as hex: the plaintext's bytes must not be there either.
      String hex = HexFormat.of().formatHex(plaintext.getBytes(StandardCharsets.UTF_8));
      assertThat(dumpOfTheGatewaySchema())
          .doesNotContain(plaintext)
          .doesNotContain(hex)
          .contains("openai_api_key");

      Response deleted = as(tenant).delete("/api/v1/tenant/secrets/{name}", "openai_api_key");
      deleted.then().statusCode(204);
      responses.add(deleted.asString());
      GatewayFixtures.asService()
          .get("/internal/v1/tenants/{tenantId}/llm-credentials", tenant)
          .then()
          .statusCode(404);
      as(tenant)
          .contentType("application/json")
          .body(Map.of("value", ""))
          .put("/api/v1/tenant/secrets/{name}", "OPENAI_API_KEY")
          .then()
          .statusCode(400)
          .body("errors[0].field", equalTo("value"));
    } finally {
      root.removeHandler(capture);
    }
    assertThat(logged).anyMatch(line -> line.contains("openai_api_key"));
    assertThat(logged).noneMatch(line -> line.contains(plaintext));
    assertThat(responses).noneMatch(body -> body.contains(plaintext));
  }

  /** Every row of every table of the gateway's schema as text (bytea as hex): a poor man's dump. */
  private String dumpOfTheGatewaySchema() throws Exception {
    StringBuilder dump = new StringBuilder();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT table_name FROM information_schema.tables WHERE table_schema = 'gateway'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String table : tables) {
        try (ResultSet rs = statement.executeQuery("SELECT t::text FROM gateway." + table + " t")) {
          while (rs.next()) {
            dump.append(rs.getString(1)).append('\n');
          }
        }
      }
    }
    return dump.toString();
  }

  private static List<String> dataLines(List<String> lines) {
    return lines.stream().filter(line -> line.startsWith("data:")).toList();
  }
}
