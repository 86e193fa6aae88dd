package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.persistence.DocumentStore;
import io.backfill.worker.support.Mail;
import io.backfill.worker.support.OwnedBrokerInfrastructure;
import io.backfill.worker.support.Runs;
import io.backfill.worker.support.ScriptedLlm;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * LESSONS row 2: a worker cut off from Kafka cannot heartbeat; it counts the failures and cancels
 * its own attempt after the stale threshold (3 s in tests) instead of running on as a zombie.
 */
@QuarkusTest
@WithTestResource(
    value = OwnedBrokerInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class SelfFencingTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Inject DocumentStore documents;
  @Inject MeterRegistry metrics;

  @Test
  void anAttemptThatCannotHeartbeatCountsTheFailuresCancelsItselfAndWritesNothing() {
    KafkaBroker broker = OwnedBrokerInfrastructure.broker();
    String tenant = "fenced-" + UUID.randomUUID();
    JobId job = JobId.derive(tenant, UUID.randomUUID().toString());
    CountDownLatch gate = new CountDownLatch(1);
    ScriptedLlm.script(tenant, new ScriptedLlm.Gate(gate));
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(5), false);
    String run = chunk.runId().value();
    double heartbeatFailuresBefore = counter("backfill_worker_heartbeat_failures_total", null);
    double fencedBefore = counter("backfill_worker_attempts_total", "self_fenced");

    try (TestProducer producer = new TestProducer(broker.bootstrapServers());
        RecordTap runEvents = RecordTap.open(broker.bootstrapServers(), Topics.RUN_EVENTS)) {
      producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
      await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run) != null);
      // RunStarted was acknowledged before the LLM call; the tap may read it a moment later.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(Runs.eventsOf(runEvents, run, RunStarted.class)).hasSize(1));
    }

    broker.stop();
    try {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  counter("backfill_worker_heartbeat_failures_total", null)
                          > heartbeatFailuresBefore
                      && counter("backfill_worker_attempts_total", "self_fenced")
                          == fencedBefore + 1);
      await().atMost(WAIT).until(() -> ScriptedLlm.callOf(run).interrupted());
      // Even if the work were let go on now, the attempt is fenced: nothing is committed.
      gate.countDown();
      await()
          .pollDelay(Duration.ofSeconds(1))
          .atMost(WAIT)
          .until(() -> documentsOf(tenant, job) == 0);
    } finally {
      // Back up, so the application shuts down without waiting for a broker.
      broker.start();
    }
  }

  @Transactional
  long documentsOf(String tenant, JobId job) {
    return documents.documentsOf(tenant, job).size();
  }

  private double counter(String name, String outcome) {
    var search = metrics.find(name);
    if (outcome != null) {
      search = search.tag("outcome", outcome);
    }
    return search.counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
