package io.backfill.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.persistence.AttemptRow;
import io.backfill.monitor.persistence.LedgerStore;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = BackfillInfrastructure.class, restrictToAnnotatedClass = true)
class RunLedgerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ChunkCoordinates CHUNK = new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, 5);

  @Inject LedgerStore store;
  @Inject MeterRegistry metrics;

  private TestProducer producer;
  private RunId run;

  @BeforeEach
  void setUp() {
    producer = new TestProducer(KafkaBroker.shared().bootstrapServers());
    run = RunId.extract(JobId.derive("contoso", UUID.randomUUID().toString()), 1);
  }

  @AfterEach
  void tearDown() {
    producer.close();
  }

  private void publish(io.backfill.contracts.event.RunEvent event) {
    producer.send(Topics.RUN_EVENTS, event.key(), EventJson.toJson(event));
  }

  private RunStarted started(AttemptId attempt) {
    return RunStarted.of("contoso", run, attempt, "worker-1", "sha-1", 5_000, CHUNK);
  }

  @Transactional
  List<AttemptRow> attempts() {
    return store.attemptsOf(run);
  }

  @Test
  void runStartedBecomesARunningAttemptAndARedeliveryChangesNothing() {
    RunStarted started = started(AttemptId.random());

    publish(started);
    publish(started);
    publish(
        RunHeartbeat.of(
            "contoso",
            run,
            started.attemptId(),
            "worker-1",
            "sha-1",
            new Progress(7, 100L, "llm")));

    await()
        .atMost(WAIT)
        .until(() -> attempts().size() == 1 && attempts().get(0).progressDone() == 7);
    AttemptRow attempt = attempts().get(0);
    assertThat(attempt.state()).isEqualTo("running");
    assertThat(attempt.number()).isEqualTo(1);
    assertThat(attempt.heartbeatIntervalMs()).isEqualTo(5_000);
  }

  @Test
  void newerStartSupersedesTheRunningAttemptAndFencesItsLateCompletion() {
    AttemptId first = AttemptId.random();
    AttemptId second = AttemptId.random();
    double fencedBefore = fencedCount();

    publish(started(first));
    publish(started(second));
    publish(RunCompleted.of("contoso", run, first, "worker-1", null, 100));

    await().atMost(WAIT).until(() -> fencedCount() > fencedBefore);
    assertThat(attempts())
        .extracting(AttemptRow::attemptId, AttemptRow::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(first.value(), "superseded"),
            org.assertj.core.groups.Tuple.tuple(second.value(), "running"));
  }

  @Test
  void poisonRecordGoesToTheDeadLetterTopicWithItsReasonAndTheNextEventIsApplied() {
    try (RecordTap dlq =
        RecordTap.open(KafkaBroker.shared().bootstrapServers(), "run.events.dlq")) {
      String poisonKey = "poison-" + UUID.randomUUID();
      producer.send(Topics.RUN_EVENTS, poisonKey, "{\"type\":\"RunExploded\"}");
      publish(started(AttemptId.random()));

      await()
          .atMost(WAIT)
          .until(() -> dlq.records().stream().anyMatch(r -> poisonKey.equals(r.key())));
      var dead =
          dlq.records().stream().filter(r -> poisonKey.equals(r.key())).findFirst().orElseThrow();
      Header reason = dead.headers().lastHeader("dead-letter-reason");
      assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("RunExploded");
      await().atMost(WAIT).until(() -> attempts().size() == 1);
    }
  }

  private double fencedCount() {
    return metrics.find("backfill_ledger_fenced_events_total").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}
