package io.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.BackfillRequestEvent;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.ChangeCounts;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.Event;
import io.backfill.contracts.event.FollowJob;
import io.backfill.contracts.event.FollowStarted;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.PauseJob;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.event.TimeoutDiagnosis;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.FreePort;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.Postgres;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.ServiceProcess;
import io.backfill.testkit.TestDatabase;
import io.backfill.testkit.TestProducer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway commands against a real api-gateway: its runnable jar as a child process, on the
 * shared test broker and a fresh database. Where a job needs to move on, the test publishes what
 * the fetcher, workers and ledger would (job.events, run.events, run.control, extraction.results).
 */
class GatewayCommandsTest {

  // Random, and 32 characters or more: a gateway in its prod profile refuses anything weaker.
  private static final String ADMIN_TOKEN = "adm_" + randomHex(16);
  private static final String SERVICE_TOKEN = "svc_" + randomHex(16);

  /** 32 random bytes, base64: the gateway's secrets master key for this test only. */
  private static final String MASTER_KEY = Base64.getEncoder().encodeToString(randomBytes(32));

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2024-07-01T00:00:00Z");

  private static KafkaBroker broker;
  private static TestDatabase database;
  private static ServiceProcess gateway;
  private static int internalPort;
  private static TestProducer producer;

  @BeforeAll
  static void startGateway() {
    broker = KafkaBroker.shared();
    database = Postgres.instance().createDatabase("cli");
    Map<String, String> config = new HashMap<>();
    config.put("kafka.bootstrap.servers", broker.bootstrapServers());
    config.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
    config.put("quarkus.datasource.username", database.username());
    config.put("quarkus.datasource.password", database.password());
    config.put("backfill.gateway.admin-token", ADMIN_TOKEN);
    config.put("backfill.gateway.service-token", SERVICE_TOKEN);
    config.put("backfill.gateway.secrets.master-key", MASTER_KEY);
    // A free port for the internal endpoints, not the fixed default: other processes share this
    // machine.
    internalPort = FreePort.pick();
    config.put("backfill.gateway.internal.port", String.valueOf(internalPort));
    gateway = ServiceProcess.start("api-gateway", config);
    producer = new TestProducer(broker.bootstrapServers());
  }

  @AfterAll
  static void stopGateway() {
    if (producer != null) {
      producer.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (database != null) {
      database.drop();
    }
  }

  @Test
  void bindDirectoryBindsATenantsDirectoryAndConsentUrlNeedsTheOperatorsApp() throws Exception {
    String tenant = newTenantId();
    Map<String, String> env = tenantEnv(tenant);
    String directory = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    CliRun bound = admin("tenant", "bind-directory", tenant, directory);
    CliRun notADirectory = admin("tenant", "bind-directory", tenant, "not a directory");
    CliRun nobody = admin("tenant", "bind-directory", newTenantId(), directory);
    // This gateway has no Graph app configured: the consent link cannot be made.
    CliRun consent = CliRun.withEnv(env, "tenant", "consent-url");

    assertThat(bound.exitCode()).as(bound.err()).isEqualTo(ExitCodes.OK);
    assertThat(bound.out()).contains("Bound directory " + directory + " to tenant " + tenant);
    HttpResponse<String> binding =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/tenant/graph"))
                    .header("Authorization", "Bearer " + env.get("BACKFILL_API_KEY"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(binding.body()).contains(directory).contains("admin");
    assertThat(notADirectory.exitCode()).isEqualTo(ExitCodes.REJECTED);
    assertThat(nobody.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(consent.exitCode()).isEqualTo(ExitCodes.GATEWAY_UNAVAILABLE);
    assertThat(consent.err()).contains("503");
  }

  @Test
  void tenantCreatePrintsAKeyOnceAndASecondCreateIsAConflict() {
    String tenant = newTenantId();

    CliRun created = admin("tenant", "create", tenant, "--name", "Acme Corp");
    CliRun again = admin("tenant", "create", tenant);
    CliRun invalid = admin("tenant", "create", "Not_Valid");
    CliRun anotherKey = admin("tenant", "add-key", "-q", tenant);
    CliRun nobody = admin("tenant", "add-key", newTenantId());

    assertThat(created.exitCode()).as(created.err()).isEqualTo(ExitCodes.OK);
    assertThat(created.out())
        .contains("Created tenant " + tenant)
        .containsPattern("apiKey: +bfk_\\S+")
        .contains("export BACKFILL_API_KEY=bfk_");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.CONFLICT);
    assertThat(again.err().lines().toList())
        .containsExactly(
            "backfill tenant create: Tenant exists (409): Tenant " + tenant + " exists.");
    assertThat(invalid.exitCode()).isEqualTo(ExitCodes.REJECTED);
    assertThat(invalid.err().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .startsWith("backfill tenant create: Invalid request (400)");
    assertThat(invalid.err().lines().toList().get(1)).startsWith("  tenantId: required");
    assertThat(anotherKey.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(anotherKey.out().strip()).startsWith("bfk_").doesNotContain(" ");
    assertThat(nobody.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void submitStatusListPauseAndCancelRoundTripThroughTheGateway() {
    String tenant = newTenantId();
    Map<String, String> env = tenantEnv(tenant);
    JobId job = JobId.derive(tenant, "q1-2024");

    try (RecordTap requests = RecordTap.open(broker.bootstrapServers(), Topics.BACKFILL_REQUESTS);
        RecordTap commands = RecordTap.open(broker.bootstrapServers(), Topics.BACKFILL_COMMANDS)) {
      CliRun submitted =
          CliRun.withEnv(
              env,
              "submit",
              "--mailbox=Ada@Acme.example",
              "--from=2024-01-01",
              "--to=2024-07-01T00:00:00Z",
              "--idempotency-key=q1-2024");
      CliRun resubmitted =
          CliRun.withEnv(
              env,
              "submit",
              "-q",
              "--mailbox=ada@acme.example",
              "--from=2024-01-01",
              "--to=2024-07-01T00:00:00Z",
              "--request-id=q1-2024");
      CliRun keyReused =
          CliRun.withEnv(
              env,
              "submit",
              "--mailbox=bob@acme.example",
              "--from=2024-01-01",
              "--to=2024-07-01",
              "--idempotency-key=q1-2024");

      assertThat(submitted.exitCode()).as(submitted.err()).isEqualTo(ExitCodes.OK);
      assertThat(printed("jobId", submitted)).isEqualTo(job.value());
      assertThat(printed("status", submitted)).isEqualTo("pending");
      assertThat(resubmitted.out().strip()).isEqualTo(job.value());
      assertThat(keyReused.exitCode()).isEqualTo(ExitCodes.REJECTED);
      assertThat(keyReused.err()).contains("(422)");
      BackfillRequested request = onlyRequestOf(requests, tenant);
      assertThat(request.requestId()).isEqualTo("q1-2024");
      assertThat(request.mailbox()).isEqualTo("ada@acme.example");
      assertThat(request.from()).isEqualTo(FROM);

      CliRun pending = CliRun.withEnv(env, "status", job.value());
      assertThat(pending.exitCode()).as(pending.err()).isEqualTo(ExitCodes.OK);
      assertThat(pending.out()).startsWith("Job " + job + "  PENDING").contains("ada@acme.example");

      // The fetcher's acceptance puts the job in the read model, and so in the list.
      publish(JobAccepted.of(request));
      CliRun listed =
          await()
              .atMost(WAIT)
              .until(() -> CliRun.withEnv(env, "list"), run -> run.out().contains(job.value()));
      assertThat(listed.exitCode()).isEqualTo(ExitCodes.OK);
      assertThat(listed.out().lines().toList().get(0)).startsWith("JOB").contains("STATUS");
      assertThat(listed.out()).containsPattern(job + " +pending +ada@acme.example");
      CliRun listedJson = CliRun.withEnv(env, "list", "--json", "--status=pending", "--limit=1");
      assertThat(json(listedJson).path("items").get(0).path("jobId").asText())
          .isEqualTo(job.value());

      CliRun paused = CliRun.withEnv(env, "pause", job.value());
      assertThat(paused.exitCode()).as(paused.err()).isEqualTo(ExitCodes.OK);
      assertThat(paused.out()).startsWith("Pause of job " + job + " accepted");
      ConsumerRecord<String, String> command = firstCommandOf(commands, job);
      assertThat(command.key()).isEqualTo(job.value());
      assertThat(EventJson.fromJson(command.value(), BackfillCommand.class))
          .isInstanceOf(PauseJob.class);

      CliRun cancelled = CliRun.withEnv(env, "cancel", job.value());
      assertThat(cancelled.exitCode()).as(cancelled.err()).isEqualTo(ExitCodes.OK);
      publish(new JobCancelled(UUID.randomUUID(), 1, Instant.now(), tenant, job, "by the test"));
      await()
          .atMost(WAIT)
          .until(
              () -> CliRun.withEnv(env, "status", job.value()).out(),
              out -> out.startsWith("Job " + job + "  CANCELLED"));

      CliRun cancelledAgain = CliRun.withEnv(env, "cancel", job.value());
      assertThat(cancelledAgain.exitCode()).isEqualTo(ExitCodes.CONFLICT);
      assertThat(cancelledAgain.err().lines().toList())
          .singleElement()
          .asString()
          .startsWith("backfill cancel: ")
          .contains("(409)");
      assertThat(CliRun.withEnv(env, "resume", job.value()).exitCode()).isEqualTo(ExitCodes.OK);
    }
  }

  @Test
  void submitFollowAndFollowOfACompletedJobReachTheGatewayAndStatusShowsTheFollowing() {
    String tenant = newTenantId();
    Map<String, String> env = tenantEnv(tenant);
    JobId followed = JobId.derive(tenant, "followed");
    JobId later = JobId.derive(tenant, "later");

    try (RecordTap requests = RecordTap.open(broker.bootstrapServers(), Topics.BACKFILL_REQUESTS);
        RecordTap commands = RecordTap.open(broker.bootstrapServers(), Topics.BACKFILL_COMMANDS)) {
      CliRun submitted =
          CliRun.withEnv(
              env,
              "submit",
              "--mailbox=eve@acme.example",
              "--from=2024-01-01",
              "--to=2024-07-01",
              "--follow",
              "--follow-interval=90",
              "--idempotency-key=followed");
      CliRun intervalAlone =
          CliRun.withEnv(
              env,
              "submit",
              "--mailbox=eve@acme.example",
              "--from=2024-01-01",
              "--to=2024-07-01",
              "--follow-interval=90");

      assertThat(submitted.exitCode()).as(submitted.err()).isEqualTo(ExitCodes.OK);
      assertThat(printed("jobId", submitted)).isEqualTo(followed.value());
      BackfillRequested request = onlyRequestOf(requests, tenant);
      assertThat(request.followed()).isTrue();
      assertThat(request.followIntervalSeconds()).isEqualTo(90);
      assertThat(intervalAlone.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(intervalAlone.err()).contains("--follow-interval needs --follow");

      // A job completed without following is followed on request.
      publish(
          new JobAccepted(
              UUID.randomUUID(),
              1,
              Instant.now(),
              tenant,
              later,
              "later",
              "fay@acme.example",
              FROM,
              TO,
              null));
      publish(new JobCompleted(UUID.randomUUID(), 1, Instant.now(), tenant, later, 1, 5, 0));
      await()
          .atMost(WAIT)
          .until(
              () -> CliRun.withEnv(env, "status", later.value()).out(),
              out -> out.startsWith("Job " + later + "  COMPLETED"));
      CliRun follow = CliRun.withEnv(env, "follow", later.value(), "--follow-interval=600");
      assertThat(follow.exitCode()).as(follow.err()).isEqualTo(ExitCodes.OK);
      assertThat(follow.out()).startsWith("Follow of job " + later + " accepted");
      FollowJob command =
          (FollowJob)
              EventJson.fromJson(firstCommandOf(commands, later).value(), BackfillCommand.class);
      assertThat(command.jobId()).isEqualTo(later);
      assertThat(command.followIntervalSeconds()).isEqualTo(600);
      assertThat(CliRun.withEnv(env, "follow", later.value(), "--follow-interval=0").exitCode())
          .isEqualTo(ExitCodes.BAD_INPUT);

      publish(FollowStarted.of(tenant, later, 600));
      publish(
          new ChunkExtracted(
              UUID.randomUUID(),
              1,
              Instant.now(),
              tenant,
              later,
              RunId.extract(later, 2),
              2,
              AttemptId.random(),
              2,
              0,
              0,
              0,
              new LlmOutcome(LlmStatus.OK, 2, 0, 0, 0, null),
              new ChangeCounts(1, 1, 0, 3)));
      CliRun status =
          await()
              .atMost(WAIT)
              .until(
                  () -> CliRun.withEnv(env, "status", later.value()),
                  run -> run.out().contains("deleted 3"));
      assertThat(status.out())
          .contains("  follow     following every 600 s  rounds 0")
          .contains("changes created 1, updated 1, unchanged 0, deleted 3");
      CliRun again = CliRun.withEnv(env, "follow", later.value());
      assertThat(again.exitCode()).isEqualTo(ExitCodes.CONFLICT);
    }
  }

  @Test
  void invalidInputIsRejectedByTheGatewayWithOneLinePerField() {
    Map<String, String> env = tenantEnv(newTenantId());

    CliRun run =
        CliRun.withEnv(
            env, "submit", "--mailbox=not an address", "--from=2025-01-01", "--to=2024-01-01");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.REJECTED);
    List<String> lines = run.err().lines().toList();
    assertThat(lines.get(0)).startsWith("backfill submit: Invalid request (400)");
    assertThat(lines.subList(1, lines.size()))
        .anySatisfy(line -> assertThat(line).startsWith("  mailbox: "))
        .allSatisfy(line -> assertThat(line).startsWith("  "));
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aWrongKeyIsNotAllowedAnotherTenantsOrAnUnknownJobIsNotFound() {
    String owner = newTenantId();
    Map<String, String> ownerEnv = tenantEnv(owner);
    String job =
        CliRun.withEnv(
                ownerEnv,
                "submit",
                "-q",
                "--mailbox=a@b.example",
                "--from=2024-01-01",
                "--to=2024-02-01")
            .out()
            .strip();

    CliRun wrongKey =
        CliRun.withEnv(
            Map.of("BACKFILL_GATEWAY", gateway.baseUrl()), "status", "--api-key=bfk_nope", job);
    CliRun otherTenant = CliRun.withEnv(tenantEnv(newTenantId()), "status", job);
    CliRun unknown = CliRun.withEnv(ownerEnv, "watch", UUID.randomUUID().toString());
    CliRun tenantKeyAsAdmin =
        CliRun.withEnv(
            Map.of(
                "BACKFILL_GATEWAY",
                gateway.baseUrl(),
                "BACKFILL_ADMIN_TOKEN",
                ownerEnv.get("BACKFILL_API_KEY")),
            "lag");

    assertThat(wrongKey.exitCode()).isEqualTo(ExitCodes.NOT_ALLOWED);
    assertThat(wrongKey.err()).startsWith("backfill status: ").contains("(401)");
    assertThat(otherTenant.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(otherTenant.err()).contains("(404)");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(tenantKeyAsAdmin.exitCode()).isEqualTo(ExitCodes.NOT_ALLOWED);
    assertThat(tenantKeyAsAdmin.err()).contains("(403)");
  }

  @Test
  void lagAndFleetShowTheGatewaysOwnConsumerGroupAndInstance() {
    CliRun lag =
        await()
            .atMost(WAIT)
            .until(
                () -> admin("lag", "--group=api-gateway"), run -> run.out().contains("job.events"));
    CliRun partitions = admin("lag", "--partitions", "--json");
    CliRun fleet = admin("fleet");

    assertThat(lag.exitCode()).as(lag.err()).isEqualTo(ExitCodes.OK);
    assertThat(lag.out()).containsPattern("api-gateway +job.events +\\d+").contains("Total lag: ");
    assertThat(partitions.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(json(partitions).path("groups").findValues("group").stream().map(JsonNode::asText))
        .contains("api-gateway");
    assertThat(fleet.exitCode()).as(fleet.err()).isEqualTo(ExitCodes.OK);
    assertThat(fleet.out()).containsPattern("api-gateway +\\S+ +\\S+ +\\S+ +yes");
  }

  @Test
  void secretPutStoresTheByokKeyWhereTheWorkerFetchesIt() throws Exception {
    String tenant = newTenantId();
    Map<String, String> env = new HashMap<>(tenantEnv(tenant));
    env.put("MY_OPENAI_KEY", "sk-from-env");

    CliRun fromEnv =
        CliRun.withEnv(env, "secret", "put", "OPENAI_API_KEY", "--from-env=MY_OPENAI_KEY");
    assertThat(fromEnv.exitCode()).as(() -> fromEnv.err() + gatewayLog()).isEqualTo(ExitCodes.OK);
    assertThat(fromEnv.out()).isEqualTo("Stored secret OPENAI_API_KEY." + System.lineSeparator());
    assertThat(llmCredentials(tenant).body()).contains("\"apiKey\":\"sk-from-env\"");

    CliRun fromStdin = CliRun.withInput(env, "sk-from-stdin\n", "secret", "put", "openai_api_key");
    assertThat(fromStdin.exitCode()).as(fromStdin.err()).isEqualTo(ExitCodes.OK);
    assertThat(llmCredentials(tenant).body()).contains("\"apiKey\":\"sk-from-stdin\"");
    assertThat(fromStdin.out() + fromStdin.err()).doesNotContain("sk-from-stdin");

    assertThat(CliRun.withEnv(env, "secret", "delete", "OPENAI_API_KEY").exitCode()).isZero();
    assertThat(llmCredentials(tenant).statusCode()).isEqualTo(404);
    assertThat(CliRun.withEnv(env, "secret", "delete", "OPENAI_API_KEY").exitCode())
        .isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void watchFollowsAJobToTheEndWithLinesForATimeoutAndItsRetry() throws Exception {
    String tenant = newTenantId();
    Map<String, String> env = tenantEnv(tenant);
    JobId job = submitAndAccept(env, tenant, "watched");

    CompletableFuture<CliRun> watching =
        CompletableFuture.supplyAsync(
            () -> CliRun.withEnv(env, "watch", "--status-interval=300ms", job.value()));

    RunId chunk1 = RunId.extract(job, 1);
    AttemptId first = AttemptId.random();
    publish(new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), tenant, job, 2, 200, true));
    publish(RunStarted.of(tenant, chunk1, first, "worker-a", "sha-a", 5_000, coordinates(1)));
    publish(
        new RunTimedOut(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            chunk1,
            first,
            1,
            new TimeoutDiagnosis(
                TimeoutDiagnosis.RULE_STALE,
                Lane.EXTRACT,
                16_000L,
                60_000L,
                15_000L,
                new Progress(40, 100L, "llm"),
                "worker-a",
                "sha-a")));
    publish(
        new RetryDue(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            chunk1,
            Lane.EXTRACT,
            first,
            2,
            "timed out: stale",
            coordinates(1)));
    // The ledger's events (run.control) and the job's (job.events) are projected by two consumers:
    // the job completes only once the gateway shows the timeout, as it would in a real run.
    await().atMost(WAIT).until(() -> statusBody(env, job).contains("\"timeouts\":[{"));
    publish(extracted(tenant, job, 1));
    publish(extracted(tenant, job, 2));
    // Chunk results come on a third topic: both in before the job completes.
    await().atMost(WAIT).until(() -> statusBody(env, job).contains("\"chunksDone\":2"));
    publish(new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), tenant, job, 2, 200, false));
    publish(new JobCompleted(UUID.randomUUID(), 1, Instant.now(), tenant, job, 2, 200, 0));

    CliRun watched = watching.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(watched.exitCode()).as(watched.out() + watched.err()).isEqualTo(ExitCodes.OK);
    assertThat(watched.out())
        .containsPattern(
            "timeout: chunk 1 attempt 1, stale: last heartbeat 16.0 s ago \\(stale after 15.0 s\\),"
                + " attempt age 1 min 00 s, progress 40/100 llm, worker worker-a, build sha-a")
        .contains("retry: chunk 1 attempt 2 due (timed out: stale)")
        .containsPattern("extracted +100% \\[=+\\] +200/200 msg")
        .contains("job " + job + " completed in ")
        .contains("200 messages in 2 chunks, 600 entities");
  }

  @Test
  void watchOfAJobThatFailedExitsNine() {
    String tenant = newTenantId();
    Map<String, String> env = tenantEnv(tenant);
    JobId job = submitAndAccept(env, tenant, "doomed");
    publish(
        new JobFailed(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            ErrorInfo.coded("ErrorAccessDenied", "Graph said no")));
    await()
        .atMost(WAIT)
        .until(
            () -> CliRun.withEnv(env, "status", job.value()).out(), out -> out.contains("FAILED"));

    CliRun watched = CliRun.withEnv(env, "watch", job.value());

    assertThat(watched.exitCode()).isEqualTo(ExitCodes.JOB_NOT_COMPLETED);
    assertThat(watched.out()).contains("job " + job + " failed in ");
  }

  private static JobId submitAndAccept(Map<String, String> env, String tenant, String requestId) {
    CliRun submitted =
        CliRun.withEnv(
            env,
            "submit",
            "-q",
            "--mailbox=ada@acme.example",
            "--from=2024-01-01",
            "--to=2024-07-01",
            "--idempotency-key=" + requestId);
    assertThat(submitted.exitCode()).as(submitted.err()).isEqualTo(ExitCodes.OK);
    JobId job = new JobId(submitted.out().strip());
    publish(
        new JobAccepted(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            requestId,
            "ada@acme.example",
            FROM,
            TO,
            null));
    await()
        .atMost(WAIT)
        .until(() -> CliRun.withEnv(env, "list").out(), out -> out.contains(job.value()));
    return job;
  }

  private static ChunkExtracted extracted(String tenant, JobId job, int seq) {
    return new ChunkExtracted(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenant,
        job,
        RunId.extract(job, seq),
        seq,
        AttemptId.random(),
        100,
        300,
        100,
        100,
        new LlmOutcome(LlmStatus.OK, 100, 0, 0, 0, null));
  }

  private static ChunkCoordinates coordinates(int seq) {
    return new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, seq);
  }

  /** The job's first command: the tap reads the topic from its start, other tests' included. */
  private static ConsumerRecord<String, String> firstCommandOf(RecordTap commands, JobId job) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                commands.records().stream()
                    .filter(record -> job.value().equals(record.key()))
                    .findFirst(),
            java.util.Optional::isPresent)
        .orElseThrow();
  }

  private static void publish(Event event) {
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

  private static CliRun admin(String... args) {
    return CliRun.withEnv(
        Map.of("BACKFILL_GATEWAY", gateway.baseUrl(), "BACKFILL_ADMIN_TOKEN", ADMIN_TOKEN), args);
  }

  /** The environment of a new tenant's scripts: the gateway and the tenant's key. */
  private static Map<String, String> tenantEnv(String tenant) {
    CliRun created = admin("tenant", "create", "-q", tenant);
    assertThat(created.exitCode()).as(created.err()).isEqualTo(ExitCodes.OK);
    return Map.of("BACKFILL_GATEWAY", gateway.baseUrl(), "BACKFILL_API_KEY", created.out().strip());
  }

  private static String newTenantId() {
    return "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static BackfillRequested onlyRequestOf(RecordTap requests, String tenant) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                requests.values().stream()
                    .map(value -> EventJson.fromJson(value, BackfillRequestEvent.class))
                    .filter(
                        event ->
                            event instanceof BackfillRequested r && r.tenantId().equals(tenant))
                    .map(BackfillRequested.class::cast)
                    .toList(),
            found -> !found.isEmpty())
        .get(0);
  }

  private static HttpResponse<String> llmCredentials(String tenant) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + internalPort
                        + "/internal/v1/tenants/"
                        + tenant
                        + "/llm-credentials"))
            .header("Authorization", "Bearer " + SERVICE_TOKEN)
            .timeout(Duration.ofSeconds(10))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The end of the gateway's log, to explain a failure the gateway answered 5xx for. */
  private static String gatewayLog() {
    try {
      String log = java.nio.file.Files.readString(gateway.log());
      return "\ngateway log ("
          + gateway.log()
          + "):\n"
          + log.substring(Math.max(0, log.length() - 6_000));
    } catch (java.io.IOException e) {
      return "\n(no gateway log: " + e.getMessage() + ")";
    }
  }

  private static JsonNode json(CliRun run) {
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
    try {
      return EventJson.mapper().readTree(run.out());
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + run.out(), e);
    }
  }

  private static String printed(String label, CliRun run) {
    Matcher matcher = Pattern.compile("(?m)^\\s*" + label + ":\\s+(\\S+)").matcher(run.out());
    assertThat(matcher.find()).as("'%s:' in %s", label, run.out()).isTrue();
    return matcher.group(1);
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static String randomHex(int bytes) {
    return HexFormat.of().formatHex(randomBytes(bytes));
  }

  private static String statusBody(Map<String, String> env, JobId job) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/backfills/" + job))
                .header("Authorization", "Bearer " + env.get("BACKFILL_API_KEY"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
