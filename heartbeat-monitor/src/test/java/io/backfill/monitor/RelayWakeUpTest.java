package io.backfill.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.TestProducer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The reaper wakes the outbox relay once its timeouts and retries are committed: with a relay
 * interval of an hour, they still reach run.control within seconds.
 */
@QuarkusTest
@TestProfile(RelayWakeUpTest.SlowRelay.class)
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RelayWakeUpTest {

  /** A relay that would poll only once an hour on its own. */
  public static class SlowRelay implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("backfill.monitor.relay.interval", "1h");
    }
  }

  @Test
  void timeoutAndRetryReachRunControlWithoutWaitingForTheRelaysInterval() {
    JobId job = JobId.derive("contoso", UUID.randomUUID().toString());
    RunId run = RunId.extract(job, 1);
    AttemptId attempt = AttemptId.random();
    ChunkCoordinates chunk = new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, 1);
    try (ControlTap control = ControlTap.open();
        TestProducer producer = new TestProducer(KafkaBroker.shared().bootstrapServers())) {
      publish(producer, RunStarted.of("contoso", run, attempt, "worker-1", "sha-1", 200, chunk));
      publish(
          producer,
          RunHeartbeat.of("contoso", run, attempt, "worker-1", "sha-1", new Progress(1, 10L, "x")));

      // staleAfter 1 s + retry after at most 1.5 s (test profile); the relay alone: an hour.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> control.effects(run, RetryDue.class).size() == 1);
      assertThat(control.effects(run, RunTimedOut.class)).hasSize(1);
    }
  }

  private static void publish(TestProducer producer, RunEvent event) {
    producer.send(Topics.RUN_EVENTS, event.key(), EventJson.toJson(event));
  }
}
