package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.backfill.worker.support.Mail;
import io.backfill.worker.support.Runs;
import io.backfill.worker.support.SaslBrokerInfrastructure;
import io.backfill.worker.support.WorkerTraffic;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the Quarkus Kafka security settings of a SASL_PLAINTEXT listener (and no other way to the
 * broker), every Kafka client of the worker works: the topic set-up's admin client, the chunk and
 * run-control channels, the event publisher (RunStarted, heartbeats, RunCompleted, results) and the
 * chunk reader of retries.
 */
@QuarkusTest
@WithTestResource(
    value = SaslBrokerInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class SaslBrokerTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private TestProducer producer;
  private RecordTap runEvents;
  private RecordTap results;
  private String tenant;
  private JobId job;

  @BeforeEach
  void setUp() {
    String plaintext = SaslBrokerInfrastructure.broker().bootstrapServers();
    producer = new TestProducer(plaintext);
    runEvents = RecordTap.open(plaintext, Topics.RUN_EVENTS);
    results = RecordTap.open(plaintext, Topics.EXTRACTION_RESULTS);
    tenant = "tenant-" + UUID.randomUUID();
    job = JobId.derive(tenant, UUID.randomUUID().toString());
  }

  @AfterEach
  void tearDown() {
    producer.close();
    runEvents.close();
    results.close();
  }

  @Test
  void everyKafkaClientOfTheWorkerWorksThroughTheSaslListener() throws Exception {
    // The topic set-up created the topics over SASL before the channels started.
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SaslBrokerInfrastructure.broker().bootstrapServers()))) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .contains(Topics.BACKFILL_CHUNKS, Topics.RUN_EVENTS, Topics.RUN_CONTROL);
    }
    Chunk chunk = Chunk.of(tenant, job, 1, Mail.messages(3), false);
    String run = chunk.runId().value();

    // The chunk channel consumes it; the event publisher announces, completes and reports it.
    producer.send(Topics.BACKFILL_CHUNKS, chunk.key(), EventJson.toJson(chunk));
    await().atMost(WAIT).until(() -> !Runs.eventsOf(runEvents, run, RunCompleted.class).isEmpty());
    await().atMost(WAIT).until(() -> !Runs.resultsOf(results, run).isEmpty());
    RunStarted first = Runs.eventsOf(runEvents, run, RunStarted.class).get(0);

    // A retry comes on the run-control channel; the chunk reader reads the chunk by its offset.
    producer.send(
        Topics.RUN_CONTROL,
        run,
        EventJson.toJson(WorkerTraffic.retryDue(chunk, first, 2, "retried over SASL")));
    await().atMost(WAIT).until(() -> Runs.eventsOf(runEvents, run, RunCompleted.class).size() == 2);
    List<RunStarted> starts = Runs.eventsOf(runEvents, run, RunStarted.class);
    assertThat(starts).hasSize(2);
    assertThat(starts.get(1).chunk()).isEqualTo(first.chunk());
  }
}
