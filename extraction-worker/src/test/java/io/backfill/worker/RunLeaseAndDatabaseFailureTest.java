package io.backfill.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.kit.deadletter.DeadLetterOrSkipStrategy;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.support.Mail;
import io.backfill.worker.support.Runs;
import io.backfill.worker.support.ScriptedLlm;
import io.backfill.worker.support.WorkerTraffic;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The run's lease (a fencing token per run, checked in the chunk's write transaction), the retry of
 * transient database failures within the attempt, and dead letters that never stop the chunk
 * consumer. Test config: lease lock timeout 300 ms, database retries from 100 ms up to 500 ms.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RunLeaseAndDatabaseFailureTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Inject DocumentStore documents;
  @Inject DataSource dataSource;
  @Inject MeterRegistry metrics;

  private WorkerTraffic traffic;
  private TestProducer producer;
  private RecordTap runEvents;
  private String tenant;
  private JobId job;

  @BeforeEach
  void setUp() {
    traffic = WorkerTraffic.open();
    producer = traffic.producer();
    runEvents = traffic.runEvents();
    tenant = "lease-" + UUID.randomUUID();
    job = JobId.derive(tenant, UUID.randomUUID().toString());
  }

  @AfterEach
  void tearDown() {
    traffic.close();
  }

  @Test
  void anOlderAttemptsWriteAfterANewerAttemptTookTheRunsLeaseIsRefusedAndLeavesNoRow() {
    CountDownLatch older = traffic.gate();
    CountDownLatch newer = traffic.gate();
    ScriptedLlm.script(tenant, new ScriptedLlm.Gates(List.of(older, newer)));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run) != null);
    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunStarted.class).isEmpty());
    RunStarted first = Runs.eventsOf(runEvents, run, RunStarted.class).get(0);
    // The first attempt is frozen (it waits at its gate) while the ledger, not hearing from it,
    // gives the run to a second attempt, as it would to one in another process.
    producer.send(
        Topics.RUN_CONTROL,
        run,
        EventJson.toJson(WorkerTraffic.retryDue(chunk, first, 2, "timed out")));
    await().atMost(WAIT).until(() -> Runs.eventsOf(runEvents, run, RunStarted.class).size() == 2);
    RunStarted second = Runs.eventsOf(runEvents, run, RunStarted.class).get(1);
    await().atMost(WAIT).until(() -> second.attemptId().value().equals(leaseHolder(run)));
    double fencedBefore = counter("backfill_worker_writes_fenced_total", null, null);

    older.countDown();

    await()
        .atMost(WAIT)
        .until(
            () -> counter("backfill_worker_writes_fenced_total", null, null) == fencedBefore + 1);
    assertThat(documentsOf(chunk)).isZero();
    assertThat(completedBy(run)).isNull();
    assertThat(Runs.eventsOf(runEvents, run, RunCompleted.class)).isEmpty();
    // The fenced attempt says it ended (retryable), so a ledger that counts it as the run's
    // current attempt retries at once rather than timing a silent attempt out.
    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunFailed.class).isEmpty());
    assertThat(Runs.eventsOf(runEvents, run, RunFailed.class))
        .singleElement()
        .satisfies(
            failed -> {
              assertThat(failed.attemptId()).isEqualTo(first.attemptId());
              assertThat(failed.retryable()).isTrue();
              assertThat(failed.error().type()).isEqualTo("WriteFenced");
            });

    newer.countDown();

    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
    assertThat(Runs.eventsOf(runEvents, run, RunCompleted.class))
        .singleElement()
        .extracting(RunCompleted::attemptId)
        .isEqualTo(second.attemptId());
    assertThat(documentsOf(chunk)).isEqualTo(5);
    assertThat(completedBy(run)).isEqualTo(second.attemptId().value());
  }

  @Test
  void aChunkRecordDeliveredAgainAfterItsRunStartedStartsNoSecondAttempt() {
    CountDownLatch first = traffic.gate();
    ScriptedLlm.script(tenant, new ScriptedLlm.Gates(List.of(first)));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
    await().atMost(WAIT).until(() -> leaseHolder(run) != null);
    double skippedBefore = counter("backfill_worker_chunks_total", "outcome", "skipped");

    // The record again, as after a worker died before its offset was committed: the run is
    // started, and its recovery belongs to the ledger (a timeout, then RetryDue), not to this copy.
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
    await()
        .atMost(WAIT)
        .until(() -> counter("backfill_worker_chunks_total", "outcome", "skipped") > skippedBefore);
    first.countDown();

    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
    assertThat(Runs.eventsOf(runEvents, run, RunStarted.class)).hasSize(1);
    assertThat(Runs.eventsOf(runEvents, run, RunCompleted.class)).hasSize(1);
    assertThat(documentsOf(chunk)).isEqualTo(5);
  }

  @Test
  void aChunkWriteThatFailsOnALockTimeoutIsRetriedWithinTheAttemptAndCompletes() throws Exception {
    CountDownLatch gate = traffic.gate();
    ScriptedLlm.script(tenant, new ScriptedLlm.Gate(gate));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
    await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run) != null);
    await().atMost(WAIT).until(() -> leaseHolder(run) != null);
    double retriesBefore =
        counter("backfill_worker_transient_retries_total", "operation", "write_chunk");

    try (Connection blocker = dataSource.getConnection()) {
      // Another session holds the run's lease row: the write's lock on it fails with 55P03
      // (lock_timeout) — a real PostgreSQL failure, retried as a transient one.
      blocker.setAutoCommit(false);
      try (PreparedStatement lock =
          blocker.prepareStatement("SELECT token FROM run_leases WHERE run_id = ? FOR UPDATE")) {
        lock.setString(1, run);
        lock.executeQuery().close();
      }
      gate.countDown();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  counter("backfill_worker_transient_retries_total", "operation", "write_chunk")
                      >= retriesBefore + 2);
      assertThat(documentsOf(chunk)).isZero();
      blocker.rollback();
    }

    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
    assertThat(Runs.eventsOf(runEvents, run, RunFailed.class)).isEmpty();
    assertThat(Runs.eventsOf(runEvents, run, RunStarted.class)).hasSize(1);
    assertThat(documentsOf(chunk)).isEqualTo(5);
  }

  @Test
  void aTwoMebibyteNonJsonRecordAndATombstoneAreDeadLetteredAndAValidChunkAfterThemIsExtracted() {
    String servers = KafkaBroker.shared().bootstrapServers();
    byte[] huge = new byte[2 * 1024 * 1024];
    Arrays.fill(huge, (byte) '<');
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(3), false);
    String run = chunk.runId().value();
    try (RecordTap dlq = RecordTap.open(servers, Topics.deadLetterOf(Topics.BACKFILL_CHUNKS))) {
      // One key for all three: they land on one partition, the valid chunk after the bad ones.
      producer.sendRaw(Topics.BACKFILL_CHUNKS, chunk.key(), huge);
      producer.sendRaw(Topics.BACKFILL_CHUNKS, chunk.key(), null);
      producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));

      await()
          .atMost(WAIT)
          .until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
      await()
          .atMost(WAIT)
          .until(
              () -> dlq.records().stream().filter(r -> chunk.key().equals(r.key())).count() == 2);
      List<String> values =
          dlq.records().stream()
              .filter(r -> chunk.key().equals(r.key()))
              .map(r -> r.value())
              .toList();
      assertThat(values).anyMatch(v -> v != null && v.length() == huge.length);
      assertThat(values).anyMatch(v -> v == null);
    }
    assertThat(documentsOf(chunk)).isEqualTo(3);
    given().get("/q/health/ready").then().statusCode(200);
  }

  @Test
  void everyDeadLetteringConsumerLeavesItsDeadLetterSizeToTheStrategy() {
    // The strategy sizes each dead-letter producer to its source topic (the 2 MiB poison chunk
    // above shows it for the chunks); a size set here would override that.
    var config = ConfigProvider.getConfig();
    for (String channel : List.of("backfill-chunks", "run-control-retries", "job-events")) {
      String prefix = "mp.messaging.incoming." + channel + ".";
      assertThat(config.getValue(prefix + "failure-strategy", String.class))
          .isEqualTo(DeadLetterOrSkipStrategy.NAME);
      assertThat(
              config.getOptionalValue(prefix + "dead-letter-queue.max.request.size", String.class))
          .isEmpty();
    }
  }

  private UUID leaseHolder(String run) {
    return single("SELECT attempt_id FROM run_leases WHERE run_id = ?", run);
  }

  private UUID completedBy(String run) {
    return single("SELECT attempt_id FROM completed_runs WHERE run_id = ?", run);
  }

  private UUID single(String sql, String run) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(sql)) {
      query.setString(1, run);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next() ? rs.getObject(1, UUID.class) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  @Transactional
  long documentsOf(Chunk chunk) {
    return documents.documentsOf(tenant, job).stream()
        .filter(row -> row.seq() == chunk.seq())
        .count();
  }

  private double counter(String name, String tag, String value) {
    var search = metrics.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    return search.counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
