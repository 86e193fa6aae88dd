package io.backfill.fetcher;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkEvent;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a fetch or follow test sends to the fetcher (requests, commands, run control) and reads of
 * what it publishes (chunks, run events, job events), on the shared broker. Each test opens its own
 * and closes it after.
 */
final class LaneRecords implements AutoCloseable {

  /** How long a test waits for an event the fetcher publishes. */
  static final Duration WAIT = Duration.ofSeconds(60);

  /** A window over the simulator's mailboxes, which hold a year of mail ending 2026-01-01. */
  static final Instant FROM = Instant.parse("2024-12-01T00:00:00Z");

  static final Instant TO = Instant.parse("2026-01-02T00:00:00Z");

  private final TestProducer producer;
  private final RecordTap chunks;
  private final RecordTap runEvents;
  private final RecordTap jobEvents;
  private final String tenant = "contoso-" + UUID.randomUUID();

  private LaneRecords(String bootstrap) {
    producer = new TestProducer(bootstrap);
    chunks = RecordTap.open(bootstrap, Topics.BACKFILL_CHUNKS);
    runEvents = RecordTap.open(bootstrap, Topics.RUN_EVENTS);
    jobEvents = RecordTap.open(bootstrap, Topics.JOB_EVENTS);
  }

  static LaneRecords open() {
    LaneRecords records = new LaneRecords(KafkaBroker.shared().bootstrapServers());
    // The tenant's Graph connection, as the gateway hands it out: its directory, the default app.
    GatewayStandIn.register(records.tenant, GraphSimulator.DIRECTORY, null, null);
    return records;
  }

  /** This test's tenant. */
  String tenant() {
    return tenant;
  }

  void request(BackfillRequested request) {
    producer.send(Topics.BACKFILL_REQUESTS, request.key(), EventJson.toJson(request));
  }

  void command(BackfillCommand command) {
    producer.send(Topics.BACKFILL_COMMANDS, command.key(), EventJson.toJson(command));
  }

  void control(RunControlEvent event) {
    producer.send(Topics.RUN_CONTROL, event.key(), EventJson.toJson(event));
  }

  /** The last event of the type the run published, once there is one. */
  <T extends RunEvent> T awaitRunEvent(RunId run, Class<T> type) {
    await("a " + type.getSimpleName() + " of " + run)
        .atMost(WAIT)
        .until(() -> runEventsOf(run).stream().anyMatch(type::isInstance));
    List<T> found = ofType(runEventsOf(run), type);
    return found.get(found.size() - 1);
  }

  /** The first event of the type the job's events hold, once there is one. */
  <T extends JobEvent> T awaitJobEvent(JobId job, Class<T> type) {
    await("a " + type.getSimpleName() + " of job " + job)
        .atMost(WAIT)
        .until(() -> jobEventsOf(job).stream().anyMatch(type::isInstance));
    return ofType(jobEventsOf(job), type).get(0);
  }

  List<Chunk> chunksOf(JobId job) {
    String prefix = "extract:" + job.value() + ":";
    return chunks.records().stream()
        .filter(r -> r.key().startsWith(prefix))
        .map(r -> (Chunk) EventJson.fromJson(r.value(), ChunkEvent.class))
        .toList();
  }

  List<RunEvent> runEventsOf(RunId run) {
    return runEvents.records().stream()
        .filter(r -> run.value().equals(r.key()))
        .map(r -> EventJson.fromJson(r.value(), RunEvent.class))
        .toList();
  }

  List<JobEvent> jobEventsOf(JobId job) {
    return jobEvents.records().stream()
        .filter(r -> job.value().equals(r.key()))
        .map(r -> EventJson.fromJson(r.value(), JobEvent.class))
        .toList();
  }

  static <E, T extends E> List<T> ofType(List<E> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Override
  public void close() {
    given().baseUri(GraphSimulator.baseUrl()).delete("/admin/faults").then().statusCode(204);
    chunks.close();
    runEvents.close();
    jobEvents.close();
    producer.close();
  }
}
