package io.backfill.gateway;

import static io.backfill.gateway.GatewayFixtures.accepted;
import static io.backfill.gateway.GatewayFixtures.as;
import static io.backfill.gateway.GatewayFixtures.asAdmin;
import static io.backfill.gateway.GatewayFixtures.extractStarted;
import static io.backfill.gateway.GatewayFixtures.publish;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.event.TimeoutDiagnosis;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.testkit.TestTopics;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RunsAndOpsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = "runs";

  private static TestProducer producer;

  @BeforeAll
  static void open() {
    GatewayFixtures.forgetKeys();
    producer = GatewayFixtures.producer();
  }

  @AfterAll
  static void close() {
    producer.close();
  }

  private static JobId newJob() {
    String requestId = UUID.randomUUID().toString();
    publish(producer, accepted(TENANT, requestId, "ana@contoso.com"));
    return JobId.derive(TENANT, requestId);
  }

  private static JsonPath statusOf(JobId job) {
    var response = as(TENANT).get("/api/v1/backfills/{jobId}", job.value());
    return response.statusCode() == 200 ? response.jsonPath() : null;
  }

  private static TimeoutDiagnosis staleDiagnosis(String worker, String sha) {
    return new TimeoutDiagnosis(
        TimeoutDiagnosis.RULE_STALE,
        Lane.EXTRACT,
        16_000L,
        60_000L,
        15_000L,
        new Progress(40, 100L, "llm"),
        worker,
        sha);
  }

  @Test
  void statusShowsAttemptsWithWorkerBuildHeartbeatAgeTimeoutDiagnosisAndFullStackTrace() {
    JobId job = newJob();
    AttemptId failing = AttemptId.random();
    AttemptId stale = AttemptId.random();
    RunId chunk1 = RunId.extract(job, 1);
    publish(producer, extractStarted(TENANT, job, 1, failing, "worker-a", "sha-a"));
    publish(
        producer,
        RunHeartbeat.of(TENANT, chunk1, failing, "worker-a", "sha-a", new Progress(3, 10L, "llm")));
    publish(
        producer,
        RunFailed.of(
            TENANT,
            chunk1,
            failing,
            "worker-a",
            true,
            ErrorInfo.of(new IllegalStateException("the LLM answered with nothing"))));
    publish(producer, extractStarted(TENANT, job, 2, stale, "worker-b", "sha-b"));
    publish(
        producer,
        new RunTimedOut(
            UUID.randomUUID(),
            1,
            Instant.now(),
            TENANT,
            job,
            RunId.extract(job, 2),
            stale,
            1,
            staleDiagnosis("worker-b", "sha-b")));

    JsonPath status =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOf(job),
                s ->
                    s != null
                        && s.getList("timeouts").size() == 1
                        && s.getList("lastErrors").size() == 1
                        && s.get(
                                "runs.find { it.runId == '"
                                    + chunk1
                                    + "' }.attempts[0].lastHeartbeatAt")
                            != null);

    Map<String, Object> failedAttempt =
        status.getMap("runs.find { it.runId == '" + chunk1 + "' }.attempts[0]");
    assertThat(failedAttempt)
        .containsEntry("state", "failed")
        .containsEntry("workerId", "worker-a")
        .containsEntry("buildSha", "sha-a")
        .containsEntry("progressDone", 3)
        .containsKey("lastHeartbeatAgeMs");
    assertThat(status.getString("lastErrors[0].type")).isEqualTo("java.lang.IllegalStateException");
    assertThat(status.getString("lastErrors[0].message"))
        .isEqualTo("the LLM answered with nothing");
    assertThat(status.getString("lastErrors[0].stackTrace"))
        .contains("IllegalStateException")
        .contains("\tat io.backfill.gateway.RunsAndOpsTest");
    assertThat(status.getString("timeouts[0].attemptId")).isEqualTo(stale.toString());
    assertThat(status.getString("timeouts[0].diagnosis.rule")).isEqualTo("stale");
    assertThat(status.getLong("timeouts[0].diagnosis.heartbeatAgeMs")).isEqualTo(16_000L);
    assertThat(status.getString("timeouts[0].diagnosis.workerId")).isEqualTo("worker-b");
    assertThat(status.getString("timeouts[0].diagnosis.buildSha")).isEqualTo("sha-b");
    assertThat(status.getString("runs.find { it.runId == '" + RunId.extract(job, 2) + "' }.state"))
        .isEqualTo("timed_out");
  }

  @Test
  void aBigJobsStatusShowsFiftyRunsActiveFirstWithAllRunsCountedAndTheTenLatestErrors() {
    JobId job = newJob();
    int runs = 60;
    int failed = 12;
    for (int seq = 1; seq <= runs; seq++) {
      AttemptId attempt = AttemptId.random();
      RunId run = RunId.extract(job, seq);
      publish(producer, extractStarted(TENANT, job, seq, attempt, "worker-a", "sha-a"));
      publish(
          producer,
          seq <= runs - failed
              ? RunCompleted.of(TENANT, run, attempt, "worker-a", null, 5)
              : RunFailed.of(
                  TENANT, run, attempt, "worker-a", true, ErrorInfo.coded("llm", "chunk " + seq)));
    }

    JsonPath status =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOf(job),
                s ->
                    s != null
                        && s.getInt("runsTotal") == runs
                        && s.getList("lastErrors").size() == 10
                        && s.getList("runs.findAll { it.state == 'failed' }").size() == failed);

    List<String> states = status.getList("runs.state");
    assertThat(states).hasSize(50);
    assertThat(states.subList(0, failed)).containsOnly("failed");
    assertThat(states.subList(failed, 50)).containsOnly("completed");
    List<String> failedRuns = status.getList("runs.runId", String.class).subList(0, failed);
    assertThat(failedRuns).isSorted();
    assertThat(status.getList("runs.collect { it.attempts.size() }", Integer.class))
        .containsOnly(1);
    assertThat(status.getList("lastErrors.runId", String.class)).isSubsetOf(failedRuns);
    assertThat(status.getList("lastErrors.message", String.class)).doesNotHaveDuplicates();
  }

  @Test
  void attemptEventsInAnyOrderAndRedeliveredEndInTheSameState() {
    JobId job = newJob();
    AttemptId attempt = AttemptId.random();
    RunId run = RunId.extract(job, 1);
    RunStarted started = extractStarted(TENANT, job, 1, attempt, "worker-late", "sha-late");

    // The ledger's timeout overtakes the attempt's own events (another topic), and the attempt
    // reports completion after it was fenced.
    publish(
        producer,
        new RunTimedOut(
            UUID.randomUUID(),
            1,
            Instant.now(),
            TENANT,
            job,
            run,
            attempt,
            1,
            staleDiagnosis(null, null)));
    publish(producer, started);
    publish(producer, RunCompleted.of(TENANT, run, attempt, "worker-late", null, 12));
    publish(producer, started);

    // The timeout comes on run.control, the attempt's events on run.events: two consumers, so
    // wait until both sides are projected. A projection that let the late completion win would
    // stay "completed" and never satisfy this.
    JsonPath status =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOf(job),
                s ->
                    s != null
                        && "worker-late".equals(s.getString("runs[0].attempts[0].workerId"))
                        && "timed_out".equals(s.getString("runs[0].attempts[0].state")));
    assertThat(status.getList("runs")).hasSize(1);
    assertThat(status.getList("runs[0].attempts")).hasSize(1);
    assertThat(status.getString("runs[0].attempts[0].state")).isEqualTo("timed_out");
    assertThat(status.getString("runs[0].attempts[0].buildSha")).isEqualTo("sha-late");
    assertThat(status.getInt("runs[0].attempts[0].attemptNumber")).isEqualTo(1);
  }

  @Test
  void jobWhoseFetchRunTimedOutIsShownTimedOutAndCanBeResumed() {
    JobId job = newJob();
    AttemptId attempt = AttemptId.random();
    publish(
        producer,
        new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), TENANT, job, 1, 100, true));
    publish(
        producer,
        RunStarted.of(TENANT, RunId.fetch(job), attempt, "fetcher-1", "sha-f", 5_000, null));
    await()
        .atMost(WAIT)
        .until(() -> statusOf(job), s -> s != null && "running".equals(s.getString("status")));

    publish(
        producer,
        new RunTimedOut(
            UUID.randomUUID(),
            1,
            Instant.now(),
            TENANT,
            job,
            RunId.fetch(job),
            attempt,
            1,
            new TimeoutDiagnosis(
                TimeoutDiagnosis.RULE_STALE,
                Lane.FETCH,
                20_000L,
                90_000L,
                15_000L,
                null,
                "fetcher-1",
                "sha-f")));

    await()
        .atMost(WAIT)
        .until(() -> statusOf(job), s -> s != null && "timed-out".equals(s.getString("status")));
    as(TENANT).post("/api/v1/backfills/{jobId}/resume", job.value()).then().statusCode(202);
  }

  @Test
  void attemptsStoppedByAPauseOrCancelShowAsStoppedAndNeitherFailNorTimeOutTheJob() {
    JobId job = newJob();
    AttemptId fetch = AttemptId.random();
    AttemptId chunk = AttemptId.random();
    publish(
        producer,
        new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), TENANT, job, 1, 100, true));
    publish(
        producer,
        RunStarted.of(TENANT, RunId.fetch(job), fetch, "fetcher-s", "sha-s", 5_000, null));
    publish(producer, extractStarted(TENANT, job, 1, chunk, "worker-s", "sha-s"));
    RunStopped paused =
        RunStopped.of(
            TENANT, RunId.fetch(job), fetch, "fetcher-s", RunStopped.PAUSED, "checkpoint page 3");
    publish(producer, paused);
    publish(
        producer,
        RunStopped.of(
            TENANT, RunId.extract(job, 1), chunk, "worker-s", RunStopped.CANCELLED, null));
    // Redelivered, and a heartbeat that was still on its way: the attempt stays stopped.
    publish(producer, paused);
    publish(
        producer,
        RunHeartbeat.of(
            TENANT, RunId.fetch(job), fetch, "fetcher-s", "sha-s", new Progress(3, null, "list")));

    String fetchAttempt = "runs.find { it.lane == 'fetch' }.attempts[0]";
    String extractAttempt = "runs.find { it.lane == 'extract' }.attempts[0]";
    JsonPath status =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOf(job),
                s ->
                    s != null
                        && "stopped".equals(s.getString(fetchAttempt + ".state"))
                        && "stopped".equals(s.getString(extractAttempt + ".state"))
                        && s.getString(fetchAttempt + ".lastHeartbeatAt") != null);
    assertThat(status.getString(fetchAttempt + ".stopReason")).isEqualTo("paused");
    assertThat(status.getString(fetchAttempt + ".stopDetail")).isEqualTo("checkpoint page 3");
    assertThat(status.getString(fetchAttempt + ".endedAt")).isNotNull();
    assertThat(status.getString(extractAttempt + ".stopReason")).isEqualTo("cancelled");
    assertThat(status.getString(extractAttempt + ".workerId")).isEqualTo("worker-s");
    assertThat(status.getList("runs.state")).containsOnly("stopped");
    // Not a failure and not a timeout: the job is still what job.events say, with no errors.
    assertThat(status.getString("status")).isEqualTo("running");
    assertThat(status.getList("lastErrors")).isEmpty();
    assertThat(status.getList("timeouts")).isEmpty();

    publish(producer, new JobPaused(UUID.randomUUID(), 1, Instant.now(), TENANT, job, "by hand"));
    JsonPath pausedJob =
        await()
            .atMost(WAIT)
            .until(() -> statusOf(job), s -> s != null && "paused".equals(s.getString("status")));
    assertThat(pausedJob.getString(fetchAttempt + ".state")).isEqualTo("stopped");
    as(TENANT).post("/api/v1/backfills/{jobId}/resume", job.value()).then().statusCode(202);
  }

  @Test
  void fleetFlagsTwoBuildsOfOneServiceAndShowsTheGatewaysOwn() {
    JobId job = newJob();
    String shaOne = "1111111" + UUID.randomUUID().toString().substring(0, 8);
    String shaTwo = "2222222" + UUID.randomUUID().toString().substring(0, 8);
    publish(producer, extractStarted(TENANT, job, 1, AttemptId.random(), "fleet-worker-1", shaOne));
    RunId second = RunId.extract(job, 2);
    AttemptId attempt = AttemptId.random();
    publish(
        producer,
        RunHeartbeat.of(TENANT, second, attempt, "fleet-worker-2", shaTwo, Progress.starting()));

    JsonPath fleet =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    asAdmin().get("/api/v1/ops/fleet").then().statusCode(200).extract().jsonPath(),
                f ->
                    f.getList("services.find { it.service == 'extraction-worker' }.liveBuildShas")
                        .containsAll(List.of(shaOne, shaTwo)));
    assertThat(fleet.getBoolean("mixedVersions")).isTrue();
    assertThat(
            fleet.getBoolean("services.find { it.service == 'extraction-worker' }.mixedVersions"))
        .isTrue();
    assertThat(fleet.getString("instances.find { it.instanceId == 'fleet-worker-2' }.buildSha"))
        .isEqualTo(shaTwo);
    assertThat(fleet.getBoolean("services.find { it.service == 'api-gateway' }.mixedVersions"))
        .isFalse();
  }

  @Test
  void lagOfAGroupThatIsBehindIsReportedAndIsZeroOnceCaughtUp() {
    String topic = TestTopics.unique("lagging");
    String group = "lagging-group-" + UUID.randomUUID();
    KafkaBroker.shared().createTopic(topic, 1, Map.of());
    for (int i = 0; i < 5; i++) {
      producer.send(topic, "k" + i, "v" + i);
    }
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<String, String> consumer = consumer(group)) {
      consumer.assign(List.of(partition));
      consumer.commitSync(Map.of(partition, new OffsetAndMetadata(2)));

      JsonPath behind = lagOf(group);
      assertThat(behind.getLong("groups[0].lag")).isEqualTo(3);
      assertThat(behind.getString("groups[0].topics[0].topic")).isEqualTo(topic);
      assertThat(behind.getLong("groups[0].topics[0].partitions[0].committedOffset")).isEqualTo(2);
      assertThat(behind.getLong("groups[0].topics[0].partitions[0].endOffset")).isEqualTo(5);
      assertThat(metrics())
          .contains(
              "kafka_consumergroup_lag{consumergroup=\""
                  + group
                  + "\",partition=\"0\",topic=\""
                  + topic
                  + "\"} 3.0")
          .contains(
              "kafka_consumergroup_lag_sum{consumergroup=\""
                  + group
                  + "\",topic=\""
                  + topic
                  + "\"} 3.0");

      consumer.commitSync(Map.of(partition, new OffsetAndMetadata(5)));

      assertThat(lagOf(group).getLong("groups[0].lag")).isZero();
      assertThat(metrics())
          .contains(
              "kafka_consumergroup_lag{consumergroup=\""
                  + group
                  + "\",partition=\"0\",topic=\""
                  + topic
                  + "\"} 0.0");
    }
    as(TENANT).get("/api/v1/ops/lag").then().statusCode(403);
  }

  @Test
  void rebuildingTheReadModelFromTheTopicsInAnotherOrderGivesTheLiveState() throws Exception {
    String tenant = "rebuild";
    String requestId = UUID.randomUUID().toString();
    JobId job = JobId.derive(tenant, requestId);
    AttemptId fetch = AttemptId.random();
    AttemptId first = AttemptId.random();
    AttemptId retry = AttemptId.random();
    RunId chunk = RunId.extract(job, 1);
    publish(producer, accepted(tenant, requestId, "ana@contoso.com"));
    publish(
        producer,
        RunStarted.of(tenant, RunId.fetch(job), fetch, "fetcher-r", "sha-r", 5_000, null));
    publish(
        producer,
        new JobFetchProgress(UUID.randomUUID(), 1, Instant.now(), tenant, job, 2, 150, false));
    publish(producer, GatewayFixtures.extractStarted(tenant, job, 1, first, "worker-r1", "sha-r"));
    publish(
        producer,
        RunFailed.of(
            tenant,
            chunk,
            first,
            "worker-r1",
            true,
            ErrorInfo.of(new java.io.IOException("reset"))));
    publish(producer, GatewayFixtures.extractStarted(tenant, job, 1, retry, "worker-r2", "sha-r"));
    publish(producer, RunCompleted.of(tenant, chunk, retry, "worker-r2", null, 100));
    publish(producer, GatewayFixtures.extracted(tenant, job, 1, 100));
    publish(producer, RunCompleted.of(tenant, RunId.fetch(job), fetch, "fetcher-r", 2, 150));
    // Chunk 2 was being extracted when the job was paused.
    AttemptId stopped = AttemptId.random();
    publish(
        producer, GatewayFixtures.extractStarted(tenant, job, 2, stopped, "worker-r3", "sha-r"));
    publish(
        producer,
        RunStopped.of(
            tenant, RunId.extract(job, 2), stopped, "worker-r3", RunStopped.PAUSED, "at seq 2"));
    JobPaused pause = new JobPaused(UUID.randomUUID(), 1, Instant.now(), tenant, job, "by hand");
    publish(producer, pause);
    JsonPath live =
        await()
            .atMost(WAIT)
            .until(
                () -> statusOfTenant(tenant, job),
                st ->
                    st != null
                        && st.getInt("progress.chunksDone") == 1
                        && st.getList("runs").size() == 3
                        && "paused".equals(st.getString("status"))
                        && "stopped"
                            .equals(
                                st.getString(
                                    "runs.find { it.runId == '"
                                        + RunId.extract(job, 2)
                                        + "' }.attempts[0].state"))
                        // Each topic (and each run's partition) is ordered, not across them:
                        // wait for the last event of each.
                        && st.getInt("progress.chunksPublished") == 2
                        && "completed"
                            .equals(st.getString("runs.find { it.runId == '" + chunk + "' }.state"))
                        && st.getList("runs.find { it.runId == '" + chunk + "' }.attempts").size()
                            == 2
                        && "completed"
                            .equals(st.getString("runs.find { it.lane == 'fetch' }.state")));
    // What was extracted before the pause: chunk 1's 100 messages; chunk 2 stopped with nothing.
    assertThat(live.getString("stop.state")).isEqualTo("paused");
    // The database keeps microseconds.
    assertThat(Instant.parse(live.getString("stop.at")))
        .isCloseTo(
            pause.occurredAt(),
            org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MILLIS));
    assertThat(live.getLong("stop.chunksExtracted")).isEqualTo(1);
    assertThat(live.getLong("stop.messagesExtracted")).isEqualTo(100);
    assertThat(live.getInt("stop.runsStopped")).isEqualTo(1);

    // Forget everything of this tenant, then replay its events from the beginning of the topics,
    // the topics in the reverse of the order they were consumed in.
    List<io.backfill.contracts.event.Event> events = new java.util.ArrayList<>();
    for (String topic :
        List.of(
            Topics.EXTRACTION_RESULTS, Topics.RUN_CONTROL, Topics.RUN_EVENTS, Topics.JOB_EVENTS)) {
      try (RecordTap tap = RecordTap.open(KafkaBroker.shared().bootstrapServers(), topic)) {
        await()
            .during(Duration.ofSeconds(1))
            .atMost(WAIT)
            .until(() -> tap.records().size(), n -> n > 0);
        for (String value : tap.values()) {
          io.backfill.contracts.event.Event event;
          try {
            event = EventJson.fromJson(value, topicType(topic));
          } catch (RuntimeException poison) {
            continue;
          }
          if (tenant.equals(event.tenantId())) {
            events.add(event);
          }
        }
      }
    }
    forget(tenant, events);
    assertThat(statusOfTenant(tenant, job)).isNull();
    for (io.backfill.contracts.event.Event event : events) {
      if (event instanceof io.backfill.contracts.event.JobEvent e) {
        jobProjection.apply(e);
      } else if (event instanceof io.backfill.contracts.event.RunControlEvent e) {
        runProjection.apply(e);
      } else if (event instanceof io.backfill.contracts.event.ChunkExtracted e) {
        runProjection.apply(e);
      } else if (event instanceof RunHeartbeat e) {
        heartbeats.offer(e);
      } else if (event instanceof io.backfill.contracts.event.RunEvent e) {
        runProjection.apply(e);
      }
    }

    JsonPath rebuilt = statusOfTenant(tenant, job);
    assertThat(comparable(rebuilt)).isEqualTo(comparable(live));
  }

  @jakarta.inject.Inject io.backfill.gateway.domain.JobStatusProjection jobProjection;
  @jakarta.inject.Inject io.backfill.gateway.domain.RunProjection runProjection;
  @jakarta.inject.Inject io.backfill.gateway.domain.HeartbeatCoalescer heartbeats;
  @jakarta.inject.Inject io.agroal.api.AgroalDataSource dataSource;

  private static Class<? extends io.backfill.contracts.event.Event> topicType(String topic) {
    return switch (topic) {
      case Topics.JOB_EVENTS -> io.backfill.contracts.event.JobEvent.class;
      case Topics.RUN_EVENTS -> io.backfill.contracts.event.RunEvent.class;
      case Topics.RUN_CONTROL -> io.backfill.contracts.event.RunControlEvent.class;
      default -> io.backfill.contracts.event.ExtractionResultEvent.class;
    };
  }

  private void forget(String tenant, List<io.backfill.contracts.event.Event> events)
      throws Exception {
    try (java.sql.Connection connection = dataSource.getConnection()) {
      for (String table : List.of("job_views", "run_attempts", "run_outcomes", "chunk_results")) {
        try (var delete =
            connection.prepareStatement("DELETE FROM gateway." + table + " WHERE tenant_id = ?")) {
          delete.setString(1, tenant);
          delete.executeUpdate();
        }
      }
      try (var delete =
          connection.prepareStatement("DELETE FROM gateway.projected_events WHERE event_id = ?")) {
        for (io.backfill.contracts.event.Event event : events) {
          delete.setObject(1, event.eventId());
          delete.executeUpdate();
        }
      }
    }
  }

  /** The status without what depends on when it was read or written (eta, heartbeat ages). */
  private static Map<String, Object> comparable(JsonPath status) {
    Map<String, Object> map = new java.util.TreeMap<>(status.getMap(""));
    map.remove("updatedAt");
    Map<String, Object> progress = new java.util.TreeMap<>(status.getMap("progress"));
    progress.remove("eta");
    map.put("progress", progress);
    List<Map<String, Object>> runs = new java.util.ArrayList<>();
    for (Map<String, Object> run : status.<Map<String, Object>>getList("runs")) {
      Map<String, Object> copy = new java.util.TreeMap<>(run);
      List<Map<String, Object>> attempts = new java.util.ArrayList<>();
      for (Object attempt : (List<?>) run.get("attempts")) {
        @SuppressWarnings("unchecked")
        Map<String, Object> a = new java.util.TreeMap<>((Map<String, Object>) attempt);
        a.remove("lastHeartbeatAt");
        a.remove("lastHeartbeatAgeMs");
        attempts.add(a);
      }
      copy.put("attempts", attempts);
      runs.add(copy);
    }
    map.put("runs", runs);
    return map;
  }

  private static JsonPath statusOfTenant(String tenant, JobId job) {
    var response = as(tenant).get("/api/v1/backfills/{jobId}", job.value());
    return response.statusCode() == 200 ? response.jsonPath() : null;
  }

  @Test
  void peersAreAskedForTheirVersionAndAppearInTheFleet() throws Exception {
    com.sun.net.httpserver.HttpServer peer =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    byte[] version =
        "{\"service\":\"heartbeat-monitor\",\"version\":\"0.1.0\",\"buildSha\":\"peer-sha\"}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    peer.createContext(
        "/version",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, version.length);
          exchange.getResponseBody().write(version);
          exchange.close();
        });
    peer.start();
    try {
      String url = "http://127.0.0.1:" + peer.getAddress().getPort();
      // Nothing listens on port 9 (discard) here: refused at once, not hanging.
      assertThat(peers.poll(List.of(url, "http://127.0.0.1:9"))).containsExactly(true, false);

      JsonPath fleet =
          asAdmin().get("/api/v1/ops/fleet").then().statusCode(200).extract().jsonPath();
      assertThat(fleet.getString("instances.find { it.service == 'heartbeat-monitor' }.buildSha"))
          .isEqualTo("peer-sha");
      assertThat(fleet.getString("instances.find { it.service == 'heartbeat-monitor' }.instanceId"))
          .isEqualTo("heartbeat-monitor@127.0.0.1:" + peer.getAddress().getPort());
    } finally {
      peer.stop(0);
    }
  }

  @jakarta.inject.Inject io.backfill.gateway.ops.PeerVersionPoller peers;

  private static JsonPath lagOf(String group) {
    return asAdmin()
        .queryParam("group", group)
        .get("/api/v1/ops/lag")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private static String metrics() {
    return given().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  private static KafkaConsumer<String, String> consumer(String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return new KafkaConsumer<>(props);
  }
}
