package io.backfill.monitor;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.FollowStarted;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.JobResumed;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.persistence.AttemptRow;
import io.backfill.monitor.persistence.AttemptStore;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The monitor follows every job on job.events: orphaned jobs are re-driven after the grace, paused
 * and cancelled ones never are, a resume re-drives the chunks the pause parked, and no record on
 * its topics stops a consumer. The %test grace is 2 × the 1 s stale floors = 2 s.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class JobLifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = "contoso";

  @Inject DataSource dataSource;
  @Inject AttemptStore store;
  @Inject MonitorConfig config;
  @Inject MeterRegistry metrics;

  private TestProducer producer;
  private ControlTap control;
  private RecordTap jobEvents;

  @BeforeEach
  void setUp() {
    producer = new TestProducer(KafkaBroker.shared().bootstrapServers());
    control = ControlTap.open();
    jobEvents = RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.JOB_EVENTS);
  }

  @AfterEach
  void tearDown() {
    producer.close();
    control.close();
    jobEvents.close();
  }

  private void publish(JobEvent event) {
    producer.send(Topics.JOB_EVENTS, event.key(), EventJson.toJson(event));
  }

  private void publish(RunEvent event) {
    producer.send(Topics.RUN_EVENTS, event.key(), EventJson.toJson(event));
  }

  private static JobAccepted accepted(JobId job) {
    return new JobAccepted(
        UUID.randomUUID(),
        1,
        Instant.now(),
        TENANT,
        job,
        "req-" + UUID.randomUUID(),
        "ops@contoso.example",
        Instant.parse("2026-01-01T00:00:00Z"),
        Instant.parse("2026-02-01T00:00:00Z"),
        null);
  }

  private static JobId newJob() {
    return JobId.derive(TENANT, UUID.randomUUID().toString());
  }

  private String lifecycle(JobId job) {
    return new LedgerSql(dataSource).lifecycle(UUID.fromString(job.value()));
  }

  private List<AttemptRow> attempts(RunId run) {
    return QuarkusTransaction.requiringNew().call(() -> store.attemptsOf(run));
  }

  private List<RetryDue> retries(RunId run, String reason) {
    return control.effects(run, RetryDue.class).stream()
        .filter(r -> reason.equals(r.reason()))
        .toList();
  }

  private List<JobCompleted> completions(JobId job) {
    return jobEvents.records().stream()
        .filter(r -> job.value().equals(r.key()))
        .map(r -> EventJson.fromJson(r.value(), JobEvent.class))
        .filter(JobCompleted.class::isInstance)
        .map(JobCompleted.class::cast)
        .toList();
  }

  @Test
  void aJobAcceptedButNeverStartedIsRedrivenAsOrphanedAfterTheGrace() {
    JobId job = newJob();
    RunId fetch = RunId.fetch(job);
    long graceMs = config.orphanGraceOrDefault().toMillis();
    assertThat(graceMs).isEqualTo(2_000);

    publish(accepted(job));
    await().atMost(WAIT).until(() -> "active".equals(lifecycle(job)));
    Instant learnt = Instant.now();

    await().atMost(WAIT).until(() -> !retries(fetch, RetryDue.ORPHANED).isEmpty());
    RetryDue redrive = retries(fetch, RetryDue.ORPHANED).get(0);
    assertThat(Duration.between(learnt, redrive.occurredAt()).toMillis())
        .isGreaterThanOrEqualTo(graceMs - 300);
    assertThat(redrive.tenantId()).isEqualTo(TENANT);
    assertThat(redrive.jobId()).isEqualTo(job);
    assertThat(redrive.retryOf()).isNull();
    assertThat(redrive.attemptNumber()).isEqualTo(1);
    assertThat(redrive.chunk()).isNull();
    // At most once per grace: nothing more for most of the next grace.
    await()
        .during(Duration.ofMillis(graceMs - 500))
        .atMost(WAIT)
        .until(() -> retries(fetch, RetryDue.ORPHANED).size() == 1);
    assertThat(metrics.counter("backfill_monitor_orphans_redriven_total", "lane", "fetch").count())
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void aFetchAttemptThatEndedWithoutAnAnswerIsRedrivenAsOrphanedAfterItsLastAttempt() {
    JobId job = newJob();
    RunId fetch = RunId.fetch(job);
    AttemptId first = AttemptId.random();

    publish(accepted(job));
    publish(RunStarted.of(TENANT, fetch, first, "fetcher-1", "sha-1", 500, null));
    // Paused and stopped, but the job is active again (its resume re-drive was lost): orphaned.
    publish(RunStopped.of(TENANT, fetch, first, "fetcher-1", RunStopped.PAUSED, "paused"));

    await().atMost(WAIT).until(() -> !retries(fetch, RetryDue.ORPHANED).isEmpty());
    RetryDue redrive = retries(fetch, RetryDue.ORPHANED).get(0);
    assertThat(redrive.retryOf()).isEqualTo(first);
    assertThat(redrive.attemptNumber()).isEqualTo(2);
  }

  @Test
  void aPausedJobIsNeverAnOrphan() {
    JobId paused = newJob();
    JobId active = newJob();

    publish(accepted(paused));
    publish(JobPaused.of(TENANT, paused, "operator"));
    publish(accepted(active));
    await().atMost(WAIT).until(() -> "paused".equals(lifecycle(paused)));

    // The active job, accepted at the same time, is re-driven: the sweep did look.
    await().atMost(WAIT).until(() -> !retries(RunId.fetch(active), RetryDue.ORPHANED).isEmpty());
    await()
        .during(Duration.ofMillis(3 * config.orphanGraceOrDefault().toMillis()))
        .atMost(WAIT)
        .until(() -> control.effects(RunId.fetch(paused)).isEmpty());
  }

  @Test
  void resumeRedrivesEveryParkedExtractRunOnce() {
    JobId job = newJob();
    RunId fetch = RunId.fetch(job);
    RunId[] chunks = {RunId.extract(job, 1), RunId.extract(job, 2)};
    ChunkCoordinates[] coordinates = {
      new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 3, 40),
      new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 4, 41)
    };
    AttemptId fetchAttempt = AttemptId.random();
    AttemptId[] stopped = {AttemptId.random(), AttemptId.random()};

    publish(accepted(job));
    publish(RunStarted.of(TENANT, fetch, fetchAttempt, "fetcher-1", "sha-1", 500, null));
    publish(RunCompleted.of(TENANT, fetch, fetchAttempt, "fetcher-1", 2, 150));
    publish(JobPaused.of(TENANT, job, "operator"));
    await().atMost(WAIT).until(() -> "paused".equals(lifecycle(job)));
    for (int i = 0; i < 2; i++) {
      publish(
          RunStarted.of(TENANT, chunks[i], stopped[i], "worker-1", "sha-1", 5_000, coordinates[i]));
      publish(
          RunStopped.of(TENANT, chunks[i], stopped[i], "worker-1", RunStopped.PAUSED, "paused"));
    }
    for (RunId chunk : chunks) {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  attempts(chunk).size() == 1 && "stopped".equals(attempts(chunk).get(0).state()));
    }

    JobResumed resumed = JobResumed.of(TENANT, job, "operator");
    publish(resumed);
    publish(resumed); // redelivered
    publish(JobResumed.of(TENANT, job, "operator, again"));

    for (int i = 0; i < 2; i++) {
      RunId chunk = chunks[i];
      await().atMost(WAIT).until(() -> !retries(chunk, RetryDue.RESUMED).isEmpty());
      RetryDue redrive = retries(chunk, RetryDue.RESUMED).get(0);
      assertThat(redrive.retryOf()).isEqualTo(stopped[i]);
      assertThat(redrive.attemptNumber()).isEqualTo(2);
      assertThat(redrive.chunk()).isEqualTo(coordinates[i]);
      assertThat(redrive.tenantId()).isEqualTo(TENANT);
    }
    await().atMost(WAIT).until(() -> "active".equals(lifecycle(job)));
    // The fetch run is re-driven by the fetcher itself, never by the monitor.
    assertThat(retries(fetch, RetryDue.RESUMED)).isEmpty();
    await()
        .during(Duration.ofSeconds(1))
        .atMost(WAIT)
        .until(
            () ->
                retries(chunks[0], RetryDue.RESUMED).size() == 1
                    && retries(chunks[1], RetryDue.RESUMED).size() == 1);

    // The new attempts un-park the runs; their completion completes the job.
    for (int i = 0; i < 2; i++) {
      AttemptId next = AttemptId.random();
      publish(RunStarted.of(TENANT, chunks[i], next, "worker-2", "sha-1", 5_000, coordinates[i]));
      publish(RunCompleted.of(TENANT, chunks[i], next, "worker-2", null, 75));
    }
    await().atMost(WAIT).until(() -> completions(job).size() == 1);
    JobCompleted completed = completions(job).get(0);
    assertThat(completed.chunks()).isEqualTo(2);
    assertThat(completed.messages()).isEqualTo(150);
    await().atMost(WAIT).until(() -> "terminal".equals(lifecycle(job)));
  }

  @Test
  void aCompletedFollowedJobIsNeverAnOrphanAndItsResumeRedrivesOnlyItsFollowingsParkedChunks() {
    JobId job = newJob();
    RunId fetch = RunId.fetch(job);
    RunId history = RunId.extract(job, 1);
    RunId round = RunId.follow(job, 1);
    RunId roundChunk = RunId.extract(job, 2);
    ChunkCoordinates coordinates = new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 1, 77);
    AttemptId fetchAttempt = AttemptId.random();
    AttemptId historyAttempt = AttemptId.random();

    publish(accepted(job));
    publish(RunStarted.of(TENANT, fetch, fetchAttempt, "fetcher-1", "sha-1", 500, null));
    publish(RunCompleted.of(TENANT, fetch, fetchAttempt, "fetcher-1", 1, 10));
    publish(
        RunStarted.of(
            TENANT,
            history,
            historyAttempt,
            "worker-1",
            "sha-1",
            5_000,
            new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 1, 76)));
    publish(RunCompleted.of(TENANT, history, historyAttempt, "worker-1", null, 10));
    await().atMost(WAIT).until(() -> "terminal".equals(lifecycle(job)));

    // Following is paused mid-round: the round and its chunk are parked.
    publish(FollowStarted.of(TENANT, job, 60));
    AttemptId roundAttempt = AttemptId.random();
    AttemptId chunkAttempt = AttemptId.random();
    publish(RunStarted.of(TENANT, round, roundAttempt, "fetcher-1", "sha-1", 500, null));
    publish(
        RunStarted.of(TENANT, roundChunk, chunkAttempt, "worker-1", "sha-1", 5_000, coordinates));
    publish(JobPaused.of(TENANT, job, "operator"));
    publish(RunStopped.of(TENANT, round, roundAttempt, "fetcher-1", RunStopped.PAUSED, "paused"));
    publish(
        RunStopped.of(TENANT, roundChunk, chunkAttempt, "worker-1", RunStopped.PAUSED, "paused"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                attempts(roundChunk).size() == 1
                    && "stopped".equals(attempts(roundChunk).get(0).state()));

    publish(JobResumed.of(TENANT, job, "operator"));

    await().atMost(WAIT).until(() -> !retries(roundChunk, RetryDue.RESUMED).isEmpty());
    RetryDue redrive = retries(roundChunk, RetryDue.RESUMED).get(0);
    assertThat(redrive.retryOf()).isEqualTo(chunkAttempt);
    assertThat(redrive.chunk()).isEqualTo(coordinates);
    // The round is the fetcher's to resume; nothing of the job is ever re-driven as orphaned.
    await()
        .during(Duration.ofMillis(3 * config.orphanGraceOrDefault().toMillis()))
        .atMost(WAIT)
        .until(
            () ->
                control.effects(round).isEmpty()
                    && control.effects(fetch).isEmpty()
                    && retries(roundChunk, RetryDue.ORPHANED).isEmpty());
    assertThat(lifecycle(job)).isEqualTo("terminal");
    assertThat(completions(job)).hasSize(1);
  }

  @Test
  void aCancelledJobIsNeverRolledUpEvenWhenItsInFlightChunksComplete() {
    JobId job = newJob();
    RunId fetch = RunId.fetch(job);
    RunId chunk = RunId.extract(job, 1);
    ChunkCoordinates coordinates = new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 1, 7);
    AttemptId fetchAttempt = AttemptId.random();
    AttemptId extractAttempt = AttemptId.random();

    publish(accepted(job));
    publish(JobCancelled.of(TENANT, job, "operator"));
    await().atMost(WAIT).until(() -> "cancelled".equals(lifecycle(job)));
    publish(RunStarted.of(TENANT, fetch, fetchAttempt, "fetcher-1", "sha-1", 500, null));
    publish(RunCompleted.of(TENANT, fetch, fetchAttempt, "fetcher-1", 1, 10));
    publish(RunStarted.of(TENANT, chunk, extractAttempt, "worker-1", "sha-1", 5_000, coordinates));
    publish(RunCompleted.of(TENANT, chunk, extractAttempt, "worker-1", null, 10));

    await()
        .atMost(WAIT)
        .until(
            () ->
                attempts(chunk).size() == 1 && "completed".equals(attempts(chunk).get(0).state()));
    await()
        .during(Duration.ofMillis(2 * config.orphanGraceOrDefault().toMillis()))
        .atMost(WAIT)
        .until(() -> completions(job).isEmpty() && control.effects(fetch).isEmpty());
    assertThat(lifecycle(job)).isEqualTo("cancelled");
  }

  @Test
  void aRecordThatIsNotAJobEventIsDeadLetteredAndTheNextJobIsLearnt() {
    try (RecordTap dlq =
        RecordTap.open(
            KafkaBroker.shared().bootstrapServers(), Topics.deadLetterOf(Topics.JOB_EVENTS))) {
      String key = "poison-" + UUID.randomUUID();
      producer.send(Topics.JOB_EVENTS, key, "{\"type\":\"JobExploded\"}");
      producer.send(Topics.JOB_EVENTS, key + "-tombstone", null);
      JobId job = newJob();
      publish(accepted(job));

      await().atMost(WAIT).until(() -> "active".equals(lifecycle(job)));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  dlq.records().stream()
                          .filter(r -> r.key() != null && r.key().startsWith(key))
                          .count()
                      == 2);
      ConsumerRecord<String, String> dead =
          dlq.records().stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow();
      assertThat(header(dead, "dead-letter-reason")).contains("JobExploded");
      assertThat(header(dead, "dead-letter-topic")).isEqualTo(Topics.JOB_EVENTS);
      given().get("/q/health/ready").then().statusCode(200);
    }
  }

  @Test
  void aHugeMalformedRunEventIsDeadLetteredAndTheBatchGoesOn() throws Exception {
    JobId job = newJob();
    RunId before = RunId.extract(job, 1);
    RunId after = RunId.extract(job, 2);
    String key = before.value();
    String huge = "not json ".repeat(2 * 1024 * 1024 / 9 + 1);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    // Compressed, a 2 MiB value fits the topic's 1 MiB record limit; its dead-letter copy must
    // still be made.
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
    props.put(ProducerConfig.LINGER_MS_CONFIG, "50");
    try (RecordTap dlq =
            RecordTap.open(
                KafkaBroker.shared().bootstrapServers(), Topics.deadLetterOf(Topics.RUN_EVENTS));
        KafkaProducer<String, String> zstd = new KafkaProducer<>(props)) {
      ChunkCoordinates chunk = new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, 1);
      // One key, one partition, sent together: one poll, one batch.
      zstd.send(
          new ProducerRecord<>(
              Topics.RUN_EVENTS,
              key,
              EventJson.toJson(
                  RunStarted.of(TENANT, before, AttemptId.random(), "w", "sha", 5_000, chunk))));
      zstd.send(new ProducerRecord<>(Topics.RUN_EVENTS, key, huge));
      zstd.send(new ProducerRecord<>(Topics.RUN_EVENTS, key, null));
      zstd.send(
          new ProducerRecord<>(
              Topics.RUN_EVENTS,
              key,
              EventJson.toJson(
                  RunStarted.of(TENANT, after, AttemptId.random(), "w", "sha", 5_000, chunk))));
      zstd.flush();

      await().atMost(WAIT).until(() -> attempts(before).size() == 1 && attempts(after).size() == 1);
      await()
          .atMost(WAIT)
          .until(() -> dlq.records().stream().filter(r -> key.equals(r.key())).count() == 2);
      List<ConsumerRecord<String, String>> dead =
          dlq.records().stream().filter(r -> key.equals(r.key())).toList();
      ConsumerRecord<String, String> big = dead.get(0);
      assertThat(header(big, "dead-letter-value-bytes")).isEqualTo(String.valueOf(huge.length()));
      assertThat(big.value().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
      assertThat(big.value()).startsWith("not json");
      ConsumerRecord<String, String> tombstone = dead.get(1);
      assertThat(header(tombstone, "dead-letter-tombstone")).isEqualTo("true");
      assertThat(header(tombstone, "dead-letter-reason")).contains("tombstone");
      given().get("/q/health/ready").then().statusCode(200);
    }
  }

  @Test
  void deadLetterProducersAreSizedToTheirSourceTopic() {
    var cfg = ConfigProvider.getConfig();
    for (String property :
        List.of(
            "mp.messaging.outgoing.run-events-dead-letters.max.request.size",
            "mp.messaging.incoming.run-events.dead-letter-queue.max.request.size")) {
      assertThat(cfg.getValue(property, Integer.class))
          .isEqualTo(Topics.deadLetterMaxRequestBytes(Topics.RUN_EVENTS));
    }
    for (String property :
        List.of(
            "mp.messaging.outgoing.job-events-dead-letters.max.request.size",
            "mp.messaging.incoming.job-events.dead-letter-queue.max.request.size")) {
      assertThat(cfg.getValue(property, Integer.class))
          .isEqualTo(Topics.deadLetterMaxRequestBytes(Topics.JOB_EVENTS));
    }
  }

  private static String header(ConsumerRecord<String, String> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
