package io.backfill.monitor;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunExhausted;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStalled;
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
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.outbox.OutboxRelay;
import io.backfill.monitor.reaper.LedgerCatchUp;
import io.backfill.monitor.reaper.ReaperSchedule;
import io.backfill.monitor.reaper.StaleAttemptReaper;
import io.backfill.monitor.reaper.TimeoutSweep;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reaper, the retry policy and the outbox relay against a real broker and database, with the
 * short intervals of the test profile: extract staleFloor 1 s (fetch hard deadline 3 s), tick 200
 * ms, retries after at most 400 ms × 2^(n-1) capped at 1.5 s.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RunReaperTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static ControlTap control;

  @Inject DataSource dataSource;
  @Inject MonitorConfig config;
  @Inject StaleAttemptReaper reaper;
  @Inject TimeoutSweep timeouts;
  @Inject ReaperSchedule schedule;
  @Inject OutboxRelay relay;
  @Inject LedgerCatchUp catchUp;
  @Inject MeterRegistry metrics;

  private TestProducer producer;
  private JobId job;

  @BeforeEach
  void setUp() {
    producer = new TestProducer(KafkaBroker.shared().bootstrapServers());
    job = JobId.derive("contoso", UUID.randomUUID().toString());
    if (control == null) {
      control = ControlTap.open();
    }
  }

  @AfterEach
  void tearDown() {
    schedule.resume();
    relay.resume();
    producer.close();
  }

  @AfterAll
  static void closeTap() {
    if (control != null) {
      control.close();
      control = null;
    }
  }

  @Test
  void runThatHeartbeatsOnTimeIsNeverTimedOutHoweverLongItRuns() {
    RunId run = RunId.extract(job, 1);
    AttemptId attempt = AttemptId.random();
    // Interval 300 ms → staleAfter = max(1 s floor, 900 ms) = 1 s; it runs for 10 × staleAfter.
    publish(RunStarted.of("contoso", run, attempt, "worker-1", "sha-1", 300, chunk(1)));
    ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    long[] done = {0};
    try {
      worker.scheduleAtFixedRate(
          () ->
              publish(
                  RunHeartbeat.of(
                      "contoso",
                      run,
                      attempt,
                      "worker-1",
                      "sha-1",
                      new Progress(++done[0], 1000L, "llm"))),
          0,
          300,
          TimeUnit.MILLISECONDS);

      await()
          .during(Duration.ofSeconds(10))
          .atMost(Duration.ofSeconds(15))
          .until(() -> "running".equals(attemptState(attempt)));
    } finally {
      worker.shutdownNow();
    }
    publish(RunCompleted.of("contoso", run, attempt, "worker-1", null, 100));

    await().atMost(WAIT).until(() -> "completed".equals(runState(run)));
    assertThat(control.effects(run)).isEmpty();
  }

  @Test
  void silentRunIsTimedOutWithinStaleAfterPlusOneTickWithItsDiagnosisAndRetriedOnce() {
    RunId run = RunId.extract(job, 2);
    AttemptId attempt = AttemptId.random();
    publish(RunStarted.of("contoso", run, attempt, "worker-7", "sha-abc", 200, chunk(2)));
    publish(
        RunHeartbeat.of(
            "contoso", run, attempt, "worker-7", "sha-abc", new Progress(3, 100L, "rules")));

    await().atMost(WAIT).until(() -> control.effects(run, RetryDue.class).size() == 1);

    RunTimedOut timedOut = control.effects(run, RunTimedOut.class).get(0);
    TimeoutDiagnosis diagnosis = timedOut.diagnosis();
    long staleAfterMs = config.extract().staleFloor().toMillis();
    long tickMs = config.reaper().tick().toMillis();
    assertThat(diagnosis.rule()).isEqualTo(TimeoutDiagnosis.RULE_STALE);
    assertThat(diagnosis.staleAfterMs()).isEqualTo(staleAfterMs);
    // Detected within staleAfter + one tick, measured by the ledger's clock. The allowance covers
    // the sweep's own duration and scheduling on a loaded two-core machine.
    assertThat(diagnosis.heartbeatAgeMs())
        .isGreaterThan(staleAfterMs)
        .isLessThanOrEqualTo(staleAfterMs + tickMs + 300);
    assertThat(diagnosis.attemptAgeMs()).isGreaterThanOrEqualTo(diagnosis.heartbeatAgeMs());
    assertThat(diagnosis.lane()).isEqualTo(Lane.EXTRACT);
    assertThat(diagnosis.lastProgress()).isEqualTo(new Progress(3, 100L, "rules"));
    assertThat(diagnosis.workerId()).isEqualTo("worker-7");
    assertThat(diagnosis.buildSha()).isEqualTo("sha-abc");
    assertThat(timedOut.attemptId()).isEqualTo(attempt);
    assertThat(timedOut.attemptNumber()).isEqualTo(1);

    RetryDue retry = control.effects(run, RetryDue.class).get(0);
    assertThat(retry.attemptNumber()).isEqualTo(2);
    assertThat(retry.retryOf()).isEqualTo(attempt);
    assertThat(retry.chunk()).isEqualTo(chunk(2));
    assertThat(retry.occurredAt()).isAfterOrEqualTo(timedOut.occurredAt());
    // Exactly one retry, however many ticks pass after it.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> control.effects(run, RetryDue.class).size() == 1);
    assertThat(control.effects(run, RunTimedOut.class)).hasSize(1);
    assertThat(attemptState(attempt)).isEqualTo("timed_out");
    // Operators see it too.
    await()
        .atMost(WAIT)
        .until(
            () -> {
              String scraped = given().get("/q/metrics").then().extract().asString();
              return scraped.contains(
                      "backfill_ledger_timeouts_total{lane=\"extract\",rule=\"stale\"}")
                  && scraped
                      .lines()
                      .anyMatch(
                          l ->
                              l.startsWith("backfill_ledger_attempts{state=\"timed_out\"} ")
                                  && !l.endsWith(" 0.0"))
                  && scraped.contains("backfill_ledger_retries_due_total{lane=\"extract\"}");
            });
  }

  @Test
  void runDeclaringNoHeartbeatIsNotReapedByStalenessButAtItsHardDeadline() {
    RunId run = RunId.fetch(job);
    AttemptId attempt = AttemptId.random();
    publish(RunStarted.of("contoso", run, attempt, "fetcher-1", "sha-1", 0, null));

    // Well past any staleAfter (1 s floor + ticks), it is still running...
    await()
        .during(Duration.ofMillis(2000))
        .atMost(Duration.ofSeconds(3))
        .until(() -> control.effects(run).isEmpty());
    // ...until the fetch lane's 3 s hard deadline.
    await().atMost(WAIT).until(() -> !control.effects(run, RunTimedOut.class).isEmpty());
    TimeoutDiagnosis diagnosis = control.effects(run, RunTimedOut.class).get(0).diagnosis();
    assertThat(diagnosis.rule()).isEqualTo(TimeoutDiagnosis.RULE_DEADLINE);
    assertThat(diagnosis.staleAfterMs()).isNull();
    assertThat(diagnosis.attemptAgeMs())
        .isGreaterThan(config.fetch().hardDeadline().toMillis())
        .isLessThanOrEqualTo(
            config.fetch().hardDeadline().toMillis() + config.reaper().tick().toMillis() + 300);
  }

  @Test
  void supersededAttemptsLateCompletionDoesNotCompleteTheRunButTheNewAttemptsDoes() {
    RunId run = RunId.extract(job, 3);
    AttemptId first = AttemptId.random();
    AttemptId second = AttemptId.random();
    publish(RunStarted.of("contoso", run, first, "worker-1", "sha-1", 5_000, chunk(3)));
    publish(RunStarted.of("contoso", run, second, "worker-2", "sha-1", 5_000, chunk(3)));
    publish(RunCompleted.of("contoso", run, first, "worker-1", null, 100));

    await().atMost(WAIT).until(() -> "superseded".equals(attemptState(first)));
    RunHeartbeat marker =
        RunHeartbeat.of("contoso", run, second, "worker-2", "sha-1", new Progress(1, 2L, "x"));
    publish(marker);
    await().atMost(WAIT).until(() -> progressOf(second) == 1);
    assertThat(runState(run)).isEqualTo("running");

    publish(RunCompleted.of("contoso", run, second, "worker-2", null, 100));
    await().atMost(WAIT).until(() -> "completed".equals(runState(run)));
    assertThat(attemptState(first)).isEqualTo("superseded");
    assertThat(attemptState(second)).isEqualTo("completed");
  }

  @Test
  void twoReapersOnOneLedgerTimeOutEachDeadAttemptOnceAndRetryItOnce() throws Exception {
    schedule.suspend();
    List<RunId> runs = List.of(RunId.extract(job, 4), RunId.extract(job, 5), RunId.extract(job, 6));
    for (RunId run : runs) {
      publish(
          RunStarted.of(
              "contoso", run, AttemptId.random(), "worker-1", "sha-1", 100, chunk(run.seq())));
    }
    await().atMost(WAIT).until(() -> staleAttempts(runs) == runs.size());

    // Reaper A locks the dead attempts and holds its transaction open while reaper B sweeps.
    CountDownLatch aLocked = new CountDownLatch(1);
    CountDownLatch bDone = new CountDownLatch(1);
    CompletableFuture<Integer> reaperA =
        CompletableFuture.supplyAsync(
            () ->
                QuarkusTransaction.requiringNew()
                    .call(
                        () -> {
                          int timedOut = timeouts.timeOutDeadAttempts();
                          aLocked.countDown();
                          bDone.await(30, TimeUnit.SECONDS);
                          return timedOut;
                        }));
    assertThat(aLocked.await(30, TimeUnit.SECONDS)).isTrue();
    int byB = QuarkusTransaction.requiringNew().call(timeouts::timeOutDeadAttempts);
    bDone.countDown();
    int byA = reaperA.get(30, TimeUnit.SECONDS);
    // Both sweep again, concurrently with the scheduled reaper, once A committed.
    schedule.resume();
    CompletableFuture<StaleAttemptReaper.Sweep> again =
        CompletableFuture.supplyAsync(reaper::sweep);
    reaper.sweep();
    again.get(30, TimeUnit.SECONDS);

    assertThat(byB).isZero();
    assertThat(byA).isGreaterThanOrEqualTo(runs.size());
    await()
        .atMost(WAIT)
        .until(() -> runs.stream().allMatch(r -> control.effects(r, RetryDue.class).size() == 1));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> runs.stream().allMatch(r -> control.effects(r, RetryDue.class).size() == 1));
    for (RunId run : runs) {
      assertThat(control.effects(run, RunTimedOut.class)).hasSize(1);
      assertThat(retryRows(run)).isEqualTo(1);
    }
  }

  @Test
  void relayCrashBetweenCommitAndPublishRepublishesAndConsumersSeeEachEffectOnce() {
    relay.suspend();
    RunId run = RunId.extract(job, 7);
    AttemptId attempt = AttemptId.random();
    publish(RunStarted.of("contoso", run, attempt, "worker-1", "sha-1", 100, chunk(7)));

    // The timeout and its retry are committed to the ledger, but nothing is published.
    await().atMost(WAIT).until(() -> outboxRows(run) >= 2);
    assertThat(control.all(run)).isEmpty();

    // A relay publishes and dies before its commit: the rows stay in the outbox.
    try {
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                assertThat(relay.publishBatch()).isPositive();
                throw new SimulatedCrash();
              });
    } catch (SimulatedCrash expected) {
      assertThat(outboxRows(run)).isGreaterThanOrEqualTo(2);
    }
    await().atMost(WAIT).until(() -> !control.all(run).isEmpty());

    // The restarted relay publishes them again and empties the outbox.
    relay.resume();
    await().atMost(WAIT).until(() -> outboxRows(run) == 0);
    await().atMost(WAIT).until(() -> control.effects(run, RetryDue.class).size() == 1);
    assertThat(control.all(run).size()).isGreaterThan(control.effects(run).size());
    assertThat(control.effects(run, RunTimedOut.class)).hasSize(1);
    assertThat(control.effects(run, RetryDue.class)).hasSize(1);
  }

  @Test
  void nonRetryableFailureExhaustsTheRunWithoutARetryAndDeadLettersItsChunk() {
    RunId run = RunId.extract(job, 8);
    AttemptId attempt = AttemptId.random();
    try (RecordTap dlq = chunkDeadLetters()) {
      publish(RunStarted.of("contoso", run, attempt, "worker-1", "sha-1", 5_000, chunk(8)));
      publish(
          RunFailed.of(
              "contoso",
              run,
              attempt,
              "worker-1",
              false,
              ErrorInfo.coded("InvalidChunk", "message 17 has no id")));

      await().atMost(WAIT).until(() -> !control.effects(run, RunExhausted.class).isEmpty());
      RunExhausted exhausted = control.effects(run, RunExhausted.class).get(0);
      assertThat(exhausted.attempts()).isEqualTo(1);
      assertThat(exhausted.lastError().type()).isEqualTo("InvalidChunk");
      assertThat(retryRows(run)).isZero();
      assertThat(runState(run)).isEqualTo("exhausted");
      ConsumerRecord<String, String> dead = awaitDeadLetter(dlq, run);
      assertThat(header(dead, "chunk-offset")).isEqualTo("8");
      assertThat(header(dead, "last-error-message")).isEqualTo("message 17 has no id");
    }
    assertThat(control.effects(run, RetryDue.class)).isEmpty();
  }

  @Test
  void fiveRetryableFailuresExhaustTheRunAndSendItsChunkToTheDeadLetterTopic() {
    RunId run = RunId.extract(job, 9);
    try (RecordTap dlq = chunkDeadLetters()) {
      for (int attempt = 1; attempt <= config.retry().maxAttempts(); attempt++) {
        AttemptId id = AttemptId.random();
        publish(RunStarted.of("contoso", run, id, "worker-1", "sha-1", 5_000, chunk(9)));
        publish(
            RunFailed.of(
                "contoso",
                run,
                id,
                "worker-1",
                true,
                ErrorInfo.coded("LlmTimeout", "attempt " + attempt + " timed out")));
        if (attempt < config.retry().maxAttempts()) {
          int retries = attempt;
          await().atMost(WAIT).until(() -> control.effects(run, RetryDue.class).size() == retries);
        }
      }

      await().atMost(WAIT).until(() -> !control.effects(run, RunExhausted.class).isEmpty());
      RunExhausted exhausted = control.effects(run, RunExhausted.class).get(0);
      assertThat(exhausted.attempts()).isEqualTo(5);
      assertThat(exhausted.lastError().message()).isEqualTo("attempt 5 timed out");
      assertThat(exhausted.chunk()).isEqualTo(chunk(9));
      assertThat(control.effects(run, RetryDue.class))
          .extracting(RetryDue::attemptNumber)
          .containsExactly(2, 3, 4, 5);
      ConsumerRecord<String, String> dead = awaitDeadLetter(dlq, run);
      assertThat(header(dead, "chunk-topic")).isEqualTo(Topics.BACKFILL_CHUNKS);
      assertThat(header(dead, "chunk-partition")).isEqualTo("0");
      assertThat(header(dead, "chunk-offset")).isEqualTo("9");
      assertThat(header(dead, "last-error-type")).isEqualTo("LlmTimeout");
      assertThat(EventJson.fromJson(dead.value(), RunExhausted.class).runId()).isEqualTo(run);
    }
  }

  @Test
  void reaperWaitsAfterAnAssignmentUntilTheLedgerHasReadWhatWasThere() {
    schedule.suspend();
    RunId run = RunId.extract(job, 11);
    AttemptId attempt = AttemptId.random();
    publish(RunStarted.of("contoso", run, attempt, "worker-1", "sha-1", 100, chunk(11)));
    await().atMost(WAIT).until(() -> staleAttempts(List.of(run)) == 1);

    // Not a real partition: it stands for one just assigned that holds 5 unread records.
    int partition = 1_000;
    catchUp.assigned(Map.of(partition, 0L), Map.of(partition, 5L));
    try {
      assertThat(reaper.sweep().waited()).isTrue();
      assertThat(attemptState(attempt)).isEqualTo("running");

      catchUp.processed(partition, 4);
      StaleAttemptReaper.Sweep sweep = reaper.sweep();
      assertThat(sweep.waited()).isFalse();
      assertThat(sweep.timedOut()).isPositive();
      assertThat(attemptState(attempt)).isEqualTo("timed_out");
    } finally {
      catchUp.revoked(List.of(partition));
    }
  }

  @Test
  void attemptWhoseProgressStandsStillWhileItHeartbeatsIsReportedStalledOnce() {
    RunId run = RunId.extract(job, 10);
    AttemptId attempt = AttemptId.random();
    publish(RunStarted.of("contoso", run, attempt, "worker-1", "sha-1", 200, chunk(10)));
    Progress stuck = new Progress(5, 10L, "llm");
    ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    try {
      worker.scheduleAtFixedRate(
          () -> publish(RunHeartbeat.of("contoso", run, attempt, "worker-1", "sha-1", stuck)),
          0,
          200,
          TimeUnit.MILLISECONDS);
      await().atMost(WAIT).until(() -> !control.effects(run, RunStalled.class).isEmpty());
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> control.effects(run, RunStalled.class).size() == 1);
    } finally {
      worker.shutdownNow();
    }
    RunStalled stalled = control.effects(run, RunStalled.class).get(0);
    assertThat(stalled.attemptId()).isEqualTo(attempt);
    assertThat(stalled.progress()).isEqualTo(stuck);
    assertThat(stalled.stallAfterMs()).isEqualTo(config.extract().stallAfter().toMillis());
    assertThat(stalled.stalledForMs()).isGreaterThan(stalled.stallAfterMs());
    // The lane does not time out stalled attempts: it goes on.
    assertThat(attemptState(attempt)).isEqualTo("running");
    publish(RunCompleted.of("contoso", run, attempt, "worker-1", null, 10));
    await().atMost(WAIT).until(() -> "completed".equals(runState(run)));
  }

  @Test
  void jobRollUpIsExactForATwentyFourChunkJobWithOneExhaustedChunk() {
    RunId fetch = RunId.fetch(job);
    AttemptId fetchAttempt = AttemptId.random();
    try (RecordTap jobs =
        RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.JOB_EVENTS)) {
      // The fetch run pages the whole mailbox first: 24 chunks, 2,400 messages.
      publish(RunStarted.of("contoso", fetch, fetchAttempt, "fetcher-1", "sha-1", 5_000, null));
      publish(RunCompleted.of("contoso", fetch, fetchAttempt, "fetcher-1", 24, 2_400));
      for (int seq = 1; seq <= 24; seq++) {
        RunId chunkRun = RunId.extract(job, seq);
        AttemptId attempt = AttemptId.random();
        publish(
            RunStarted.of("contoso", chunkRun, attempt, "worker-1", "sha-1", 5_000, chunk(seq)));
        if (seq == 13) {
          publish(
              RunFailed.of(
                  "contoso",
                  chunkRun,
                  attempt,
                  "worker-1",
                  false,
                  ErrorInfo.coded("InvalidChunk", "chunk 13 is unreadable")));
        } else {
          publish(RunCompleted.of("contoso", chunkRun, attempt, "worker-1", null, 100));
        }
      }

      await().atMost(WAIT).until(() -> !jobEvents(jobs).isEmpty());
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> jobEvents(jobs).size() == 1);
      JobCompleted completed = (JobCompleted) jobEvents(jobs).get(0);
      assertThat(completed.chunks()).isEqualTo(24);
      assertThat(completed.failedChunks()).isEqualTo(1);
      assertThat(completed.withErrors()).isTrue();
      // 23 extracted chunks of 100: the decision waited for the last chunk.
      assertThat(completed.messages()).isEqualTo(2_300);
    }
    assertThat(control.effects(RunId.extract(job, 13), RunExhausted.class)).hasSize(1);
  }

  @Test
  void silentFollowRoundIsTimedOutByTheFollowLanesRulesAndRetriedWithoutAChunk() {
    RunId run = RunId.follow(job, 1);
    AttemptId attempt = AttemptId.random();
    publish(RunStarted.of("contoso", run, attempt, "fetcher-3", "sha-f", 200, null));
    publish(
        RunHeartbeat.of(
            "contoso", run, attempt, "fetcher-3", "sha-f", new Progress(1, null, "inbox")));

    await().atMost(WAIT).until(() -> control.effects(run, RetryDue.class).size() == 1);

    TimeoutDiagnosis diagnosis = control.effects(run, RunTimedOut.class).get(0).diagnosis();
    assertThat(diagnosis.lane()).isEqualTo(Lane.FOLLOW);
    assertThat(diagnosis.rule()).isEqualTo(TimeoutDiagnosis.RULE_STALE);
    assertThat(diagnosis.staleAfterMs()).isEqualTo(config.follow().staleFloor().toMillis());
    RetryDue retry = control.effects(run, RetryDue.class).get(0);
    assertThat(retry.attemptNumber()).isEqualTo(2);
    assertThat(retry.retryOf()).isEqualTo(attempt);
    assertThat(retry.chunk()).isNull();
    assertThat(attemptState(attempt)).isEqualTo("timed_out");
  }

  @Test
  void exhaustedFollowRoundIsAnnouncedButNeverFailsItsCompletedJobWhoseRoundChunksDidNotCount() {
    RunId fetch = RunId.fetch(job);
    AttemptId fetchAttempt = AttemptId.random();
    try (RecordTap jobs =
            RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.JOB_EVENTS);
        RecordTap dlq = chunkDeadLetters()) {
      publish(RunStarted.of("contoso", fetch, fetchAttempt, "fetcher-1", "sha-1", 5_000, null));
      publish(RunCompleted.of("contoso", fetch, fetchAttempt, "fetcher-1", 1, 100));
      // The first round's chunk (seq 2) is extracted before the history's only chunk.
      RunId roundChunk = RunId.extract(job, 2);
      AttemptId roundAttempt = AttemptId.random();
      publish(
          RunStarted.of("contoso", roundChunk, roundAttempt, "worker-1", "sha-1", 5_000, chunk(2)));
      publish(RunCompleted.of("contoso", roundChunk, roundAttempt, "worker-1", null, 7));
      await().atMost(WAIT).until(() -> "completed".equals(runState(roundChunk)));
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> jobEvents(jobs).isEmpty());
      RunId history = RunId.extract(job, 1);
      AttemptId historyAttempt = AttemptId.random();
      publish(
          RunStarted.of("contoso", history, historyAttempt, "worker-1", "sha-1", 5_000, chunk(1)));
      publish(RunCompleted.of("contoso", history, historyAttempt, "worker-1", null, 100));
      await().atMost(WAIT).until(() -> jobEvents(jobs).size() == 1);
      JobCompleted completed = (JobCompleted) jobEvents(jobs).get(0);
      assertThat(completed.chunks()).isEqualTo(1);
      assertThat(completed.messages()).isEqualTo(100);

      RunId round = RunId.follow(job, 2);
      AttemptId attempt = AttemptId.random();
      publish(RunStarted.of("contoso", round, attempt, "fetcher-1", "sha-1", 5_000, null));
      publish(
          RunFailed.of(
              "contoso",
              round,
              attempt,
              "fetcher-1",
              false,
              ErrorInfo.coded("ErrorAccessDenied", "consent revoked")));

      await().atMost(WAIT).until(() -> !control.effects(round, RunExhausted.class).isEmpty());
      assertThat(control.effects(round, RunExhausted.class).get(0).lane()).isEqualTo(Lane.FOLLOW);
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> jobEvents(jobs).size() == 1);
      assertThat(dlq.records()).noneMatch(r -> round.value().equals(r.key()));
    }
  }

  @Test
  void pausedRunIsParkedNeverTimedOutNorRetriedAndItsResumeIsANewAttemptThatCompletesTheJob() {
    RunId fetch = RunId.fetch(job);
    RunId first = RunId.extract(job, 1);
    RunId paused = RunId.extract(job, 2);
    AttemptId fetchAttempt = AttemptId.random();
    AttemptId firstAttempt = AttemptId.random();
    AttemptId pausedAttempt = AttemptId.random();
    try (RecordTap jobs =
        RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.JOB_EVENTS)) {
      publish(RunStarted.of("contoso", fetch, fetchAttempt, "fetcher-1", "sha-1", 5_000, null));
      publish(RunCompleted.of("contoso", fetch, fetchAttempt, "fetcher-1", 2, 200));
      publish(RunStarted.of("contoso", first, firstAttempt, "worker-1", "sha-1", 5_000, chunk(1)));
      publish(RunCompleted.of("contoso", first, firstAttempt, "worker-1", null, 100));
      // Interval 100 ms: staleAfter is the 1 s floor, so silence would be judged within ~1.2 s.
      publish(RunStarted.of("contoso", paused, pausedAttempt, "worker-1", "sha-1", 100, chunk(2)));
      publish(
          RunStopped.of(
              "contoso", paused, pausedAttempt, "worker-1", RunStopped.PAUSED, "after message 40"));

      await().atMost(WAIT).until(() -> "paused".equals(runState(paused)));
      assertThat(attemptState(pausedAttempt)).isEqualTo("stopped");
      // Parked: silent for well over 2 × staleAfter, and still no timeout, no retry, no job end.
      await()
          .during(Duration.ofMillis(2500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> control.effects(paused).isEmpty() && jobEvents(jobs).isEmpty());
      assertThat(runState(paused)).isEqualTo("paused");
      assertThat(retryRows(paused)).isZero();

      // Resume: a new attempt like any other, numbered after the stopped one.
      AttemptId resumed = AttemptId.random();
      publish(RunStarted.of("contoso", paused, resumed, "worker-2", "sha-1", 5_000, chunk(2)));
      await().atMost(WAIT).until(() -> "running".equals(attemptState(resumed)));
      assertThat(attemptNumber(resumed)).isEqualTo(2);
      publish(RunCompleted.of("contoso", paused, resumed, "worker-2", null, 100));

      await().atMost(WAIT).until(() -> !jobEvents(jobs).isEmpty());
      JobCompleted completed = (JobCompleted) jobEvents(jobs).get(0);
      assertThat(completed.chunks()).isEqualTo(2);
      assertThat(completed.failedChunks()).isZero();
      assertThat(completed.messages()).isEqualTo(200);
    }
    assertThat(control.effects(paused)).isEmpty();
  }

  @Test
  void cancelledRunIsParkedAndItsJobIsNeitherCompletedNorFailedByTheLedger() {
    RunId fetch = RunId.fetch(job);
    RunId cancelled = RunId.extract(job, 1);
    AttemptId fetchAttempt = AttemptId.random();
    AttemptId attempt = AttemptId.random();
    try (RecordTap jobs =
        RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.JOB_EVENTS)) {
      publish(RunStarted.of("contoso", fetch, fetchAttempt, "fetcher-1", "sha-1", 5_000, null));
      publish(RunCompleted.of("contoso", fetch, fetchAttempt, "fetcher-1", 1, 100));
      publish(RunStarted.of("contoso", cancelled, attempt, "worker-1", "sha-1", 100, chunk(1)));
      publish(RunStopped.of("contoso", cancelled, attempt, "worker-1", RunStopped.CANCELLED, null));

      await().atMost(WAIT).until(() -> "cancelled".equals(runState(cancelled)));
      assertThat(attemptState(attempt)).isEqualTo("stopped");
      // The job's end for a cancel is JobCancelled, the fetcher's; the ledger adds nothing.
      await()
          .during(Duration.ofMillis(2500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> control.effects(cancelled).isEmpty() && jobEvents(jobs).isEmpty());
      assertThat(retryRows(cancelled)).isZero();
    }
  }

  @Test
  void stopThatArrivesAfterTheTimeoutCancelsThePendingRetryAndParksTheRun() {
    schedule.suspend();
    RunId run = RunId.extract(job, 12);
    AttemptId attempt = AttemptId.random();
    publish(RunStarted.of("contoso", run, attempt, "worker-1", "sha-1", 100, chunk(12)));
    await().atMost(WAIT).until(() -> staleAttempts(List.of(run)) == 1);
    // Timed out, its retry pending but not yet due for publication (the schedule is suspended).
    QuarkusTransaction.requiringNew().call(timeouts::timeOutDeadAttempts);
    assertThat(attemptState(attempt)).isEqualTo("timed_out");
    assertThat(runState(run)).isEqualTo("retry_pending");

    // The worker was paused, not dead: its RunStopped arrives late.
    publish(RunStopped.of("contoso", run, attempt, "worker-1", RunStopped.PAUSED, "late"));
    await().atMost(WAIT).until(() -> "paused".equals(runState(run)));
    schedule.resume();
    await()
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> control.effects(run, RetryDue.class).isEmpty());
    assertThat(
            sql()
                .number(
                    "SELECT count(*) FROM retries WHERE run_id = ? AND state = 'cancelled'",
                    run.value()))
        .isEqualTo(1);
  }

  @Test
  void liveRunsAreNotTimedOutWhileIngestIsStuckForTwiceTheirStaleAfter() throws Exception {
    List<RunId> runs = List.of(RunId.extract(job, 13), RunId.extract(job, 14));
    List<AttemptId> attempts = List.of(AttemptId.random(), AttemptId.random());
    for (int i = 0; i < runs.size(); i++) {
      publish(
          RunStarted.of(
              "contoso", runs.get(i), attempts.get(i), "worker-1", "sha-1", 300, chunk(13 + i)));
    }
    long[] done = {0};
    ScheduledExecutorService workers = Executors.newSingleThreadScheduledExecutor();
    double waitsBefore = counter("backfill_reaper_waits_total");
    try {
      // The workers heartbeat into Kafka every 300 ms (staleAfter 1 s) throughout.
      workers.scheduleAtFixedRate(
          () -> {
            done[0]++;
            for (int i = 0; i < runs.size(); i++) {
              publish(
                  RunHeartbeat.of(
                      "contoso",
                      runs.get(i),
                      attempts.get(i),
                      "worker-1",
                      "sha-1",
                      new Progress(done[0], 1000L, "llm")));
            }
          },
          0,
          300,
          TimeUnit.MILLISECONDS);
      await().atMost(WAIT).until(() -> progressOf(attempts.get(1)) > 0);

      // The ledger cannot write for 2.5 s (2.5 × staleAfter): a lock, a slow database.
      try (TableLock stuck = new TableLock(dataSource, "consumed_events")) {
        // A burst on top: the group's lag rule sees it too.
        for (int i = 0; i < config.reaper().lagThresholdRecords() + 50; i++) {
          publish(
              RunHeartbeat.of(
                  "contoso",
                  runs.get(0),
                  attempts.get(0),
                  "worker-1",
                  "sha-1",
                  new Progress(done[0], 1000L, "llm")));
        }
        await().atMost(WAIT).until(() -> catchUp.isBehind());
        assertThat(catchUp.describe()).contains("lag");
        await()
            .during(Duration.ofMillis(2500))
            .atMost(Duration.ofSeconds(10))
            .until(() -> runs.stream().allMatch(r -> control.effects(r).isEmpty()));
        assertThat(attemptState(attempts.get(0))).isEqualTo("running");
      }
      // Caught up: heartbeats are fresh again and nothing was judged on the stale ledger.
      await().atMost(WAIT).until(() -> !catchUp.isBehind());
      long caughtUpAt = progressOf(attempts.get(1));
      await().atMost(WAIT).until(() -> progressOf(attempts.get(1)) > caughtUpAt + 3);
    } finally {
      workers.shutdownNow();
    }
    assertThat(counter("backfill_reaper_waits_total")).isGreaterThan(waitsBefore);
    for (int i = 0; i < runs.size(); i++) {
      assertThat(control.effects(runs.get(i))).isEmpty();
      assertThat(attemptState(attempts.get(i))).isEqualTo("running");
      publish(RunCompleted.of("contoso", runs.get(i), attempts.get(i), "worker-1", null, 10));
    }
  }

  private double counter(String name) {
    return metrics.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private int attemptNumber(AttemptId attempt) {
    return Integer.parseInt(
        sql().text("SELECT number FROM attempts WHERE attempt_id = ?", attempt.value()));
  }

  private List<JobEvent> jobEvents(RecordTap jobs) {
    return jobs.records().stream()
        .filter(r -> job.value().equals(r.key()))
        .map(r -> EventJson.fromJson(r.value(), JobEvent.class))
        .toList();
  }

  private static final class SimulatedCrash extends RuntimeException {
    SimulatedCrash() {
      super("relay killed between publish and commit");
    }
  }

  private static ChunkCoordinates chunk(long offset) {
    return new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, offset);
  }

  private void publish(RunEvent event) {
    producer.send(Topics.RUN_EVENTS, event.key(), EventJson.toJson(event));
  }

  private static RecordTap chunkDeadLetters() {
    return RecordTap.open(
        KafkaBroker.shared().bootstrapServers(), Topics.deadLetterOf(Topics.BACKFILL_CHUNKS));
  }

  private static ConsumerRecord<String, String> awaitDeadLetter(RecordTap dlq, RunId run) {
    await()
        .atMost(WAIT)
        .until(() -> dlq.records().stream().anyMatch(r -> run.value().equals(r.key())));
    return dlq.records().stream()
        .filter(r -> run.value().equals(r.key()))
        .findFirst()
        .orElseThrow();
  }

  private static String header(ConsumerRecord<String, String> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private String attemptState(AttemptId attempt) {
    return sql().text("SELECT state FROM attempts WHERE attempt_id = ?", attempt.value());
  }

  /** The attempt's progress; -1 while the ledger has not read its RunStarted yet. */
  private long progressOf(AttemptId attempt) {
    String done =
        sql().text("SELECT progress_done FROM attempts WHERE attempt_id = ?", attempt.value());
    return done == null ? -1 : Long.parseLong(done);
  }

  private String runState(RunId run) {
    return sql().text("SELECT state FROM runs WHERE run_id = ?", run.value());
  }

  private long retryRows(RunId run) {
    return sql().number("SELECT count(*) FROM retries WHERE run_id = ?", run.value());
  }

  private long outboxRows(RunId run) {
    return sql().number("SELECT count(*) FROM outbox WHERE record_key = ?", run.value());
  }

  /** Running attempts of the runs whose last heartbeat is older than their staleAfter. */
  private long staleAttempts(List<RunId> runs) {
    return sql()
        .number(
            """
            SELECT count(*) FROM attempts
            WHERE run_id = ANY (?) AND state = 'running'
              AND last_heartbeat_at < now() - ? * interval '1 millisecond'
            """,
            runs.stream().map(RunId::value).toArray(String[]::new),
            config.extract().staleFloor().toMillis());
  }

  private LedgerSql sql() {
    return new LedgerSql(dataSource);
  }
}
