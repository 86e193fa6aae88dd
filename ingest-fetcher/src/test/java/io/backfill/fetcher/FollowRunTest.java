package io.backfill.fetcher;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.CancelJob;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.FollowJob;
import io.backfill.contracts.event.FollowRoundCompleted;
import io.backfill.contracts.event.FollowStarted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.PauseJob;
import io.backfill.contracts.event.RemovedMessage;
import io.backfill.contracts.event.ResumeJob;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.event.TimeoutDiagnosis;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import io.backfill.testkit.BackfillInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Following a mailbox (decision 0037) end to end: real broker, real PostgreSQL, the
 * outlook-simulator's delta over HTTP. Followed jobs here ask for rounds every second.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = GraphSimulator.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = GatewayStandIn.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FollowRunTest {

  private static final Duration WAIT = LaneRecords.WAIT;
  private static final Instant FROM = LaneRecords.FROM;
  private static final Instant TO = LaneRecords.TO;

  @Inject MeterRegistry metrics;
  @Inject javax.sql.DataSource dataSource;

  private LaneRecords records;
  private String tenant;
  private String mailbox;

  @BeforeEach
  void setUp() {
    records = LaneRecords.open();
    tenant = records.tenant();
    mailbox = "follow-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
  }

  @AfterEach
  void tearDown() {
    records.close();
  }

  @Test
  void aFollowedJobsHistoryIsItsDeltaInitialRoundAndARoundPublishesExactlyTheChanges() {
    createMailbox(150);
    double listedBefore = changes("listed");
    double removedBefore = changes("removed");

    JobId job = submitFollowed(null);
    RunCompleted history = awaitRunEvent(RunId.fetch(job), RunCompleted.class);
    awaitJobEvent(job, FollowStarted.class);

    int lastSeq = history.chunks();
    awaitChunks(job, lastSeq);
    List<Chunk> historyChunks = chunksOf(job);
    assertThat(historyChunks.stream().map(Chunk::seq).collect(Collectors.toSet()))
        .hasSize(lastSeq)
        .allMatch(seq -> seq >= 1 && seq <= lastSeq);
    assertThat(historyChunks).allSatisfy(c -> assertThat(c.followRound()).isNull());
    assertThat(historyChunks.stream().filter(Chunk::last).map(Chunk::seq).toList())
        .containsExactly(lastSeq);
    List<MailMessage> copied = historyChunks.stream().flatMap(c -> c.messages().stream()).toList();
    assertThat(copied.stream().map(MailMessage::id).toList()).hasSize(150).doesNotHaveDuplicates();
    assertThat(copied)
        .allSatisfy(
            m -> {
              assertThat(m.folderId()).isNotBlank();
              assertThat(m.changeKey()).isNotBlank();
            });
    assertThat(history.messages()).isEqualTo(150);
    List<JobEvent> events = jobEventsOf(job);
    assertThat(events.get(events.size() - 1)).isInstanceOf(FollowStarted.class);
    assertThat(((FollowStarted) events.get(events.size() - 1)).intervalSeconds()).isEqualTo(1);

    List<String> delivered = deliver(3, "inbox");
    String changed = copied.get(0).id();
    String deleted = copied.get(1).id();
    String moved = copied.get(2).id();
    patch(changed);
    delete(deleted);
    String movedTo = move(moved, "archive");

    Set<String> listed =
        Set.of(delivered.get(0), delivered.get(1), delivered.get(2), changed, movedTo);
    Set<String> removed = Set.of(deleted, moved);
    await("the changes in follow rounds")
        .atMost(WAIT)
        .until(
            () ->
                listedIds(followChunks(job)).containsAll(listed)
                    && removedIds(followChunks(job)).containsAll(removed));
    // The round that listed the last change has completed too.
    int round = followChunks(job).stream().mapToInt(Chunk::followRound).max().orElseThrow();
    awaitRound(job, round);

    List<Chunk> follow = followChunks(job);
    assertThat(listedIds(follow)).containsExactlyInAnyOrderElementsOf(listed);
    assertThat(removedIds(follow)).containsExactlyInAnyOrderElementsOf(removed);
    assertThat(follow).allSatisfy(c -> assertThat(c.seq()).isGreaterThan(lastSeq));
    assertThat(follow).allSatisfy(c -> assertThat(c.last()).isFalse());
    assertThat(follow.stream().map(Chunk::seq).collect(Collectors.toSet())).hasSize(follow.size());
    List<FollowRoundCompleted> rounds = ofType(jobEventsOf(job), FollowRoundCompleted.class);
    assertThat(rounds.stream().mapToInt(FollowRoundCompleted::listed).sum()).isEqualTo(5);
    assertThat(rounds.stream().mapToInt(FollowRoundCompleted::removed).sum()).isEqualTo(2);
    assertThat(rounds).allSatisfy(r -> assertThat(r.resyncedFolders()).isZero());
    assertThat(rounds).allSatisfy(r -> assertThat(r.graphRequests()).isPositive());
    FollowRoundCompleted last = rounds.get(rounds.size() - 1);
    assertThat(runEventsOf(RunId.follow(job, last.round())).get(0)).isInstanceOf(RunStarted.class);
    assertThat(changes("listed") - listedBefore).isEqualTo(5);
    assertThat(changes("removed") - removedBefore).isEqualTo(2);
  }

  @Test
  void anExpiredSyncStateListsEachFolderAfreshWithASweepAndIsCounted() {
    createMailbox(30);
    double resyncsBefore = counter("backfill_follow_resyncs_total");
    JobId job = submitFollowed(null);
    awaitJobEvent(job, FollowStarted.class);
    awaitRound(job, 1);

    given()
        .baseUri(GraphSimulator.baseUrl())
        .post("/admin/mailboxes/" + mailbox + "/delta-tokens/expiry")
        .then()
        .statusCode(204);

    await("a round that resynced")
        .atMost(WAIT)
        .until(
            () ->
                ofType(jobEventsOf(job), FollowRoundCompleted.class).stream()
                    .anyMatch(r -> r.resyncedFolders() > 0));
    FollowRoundCompleted resync =
        ofType(jobEventsOf(job), FollowRoundCompleted.class).stream()
            .filter(r -> r.resyncedFolders() > 0)
            .findFirst()
            .orElseThrow();
    assertThat(resync.resyncedFolders()).isEqualTo(resync.folders());
    List<Chunk> ofRound =
        followChunks(job).stream().filter(c -> c.followRound() == resync.round()).toList();
    List<Chunk> swept = ofRound.stream().filter(c -> c.sweep() != null).toList();
    assertThat(swept).hasSize(resync.folders());
    assertThat(swept)
        .allSatisfy(c -> assertThat(c.sweep().sinceSeq()).isBetween(resync.firstSeq(), c.seq()));
    assertThat(listedIds(ofRound)).hasSize(30);
    assertThat(resync.listed()).isEqualTo(30);
    assertThat(counter("backfill_follow_resyncs_total") - resyncsBefore)
        .isEqualTo(resync.folders());
  }

  @Test
  void pauseHoldsTheRoundsResumeContinuesThemAndCancelEndsFollowing() {
    createMailbox(20);
    JobId job = submitFollowed("inbox");
    awaitJobEvent(job, FollowStarted.class);
    awaitRound(job, 1);

    command(PauseJob.of(tenant, job, "hold"));
    await().atMost(WAIT).until(() -> "paused".equals(followState(job)));
    String whilePaused = deliver(1, "inbox").get(0);
    await("no round while paused")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> !listedIds(followChunks(job)).contains(whilePaused));

    command(ResumeJob.of(tenant, job, "go on"));
    await("the round after resume")
        .atMost(WAIT)
        .until(() -> listedIds(followChunks(job)).contains(whilePaused));

    command(CancelJob.of(tenant, job, "stop following"));
    await().atMost(WAIT).until(() -> "ended".equals(followState(job)));
    int rounds = ofType(jobEventsOf(job), FollowRoundCompleted.class).size();
    String afterCancel = deliver(1, "inbox").get(0);
    await("no round after cancel")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !listedIds(followChunks(job)).contains(afterCancel)
                    && ofType(jobEventsOf(job), FollowRoundCompleted.class).size() <= rounds + 1);
  }

  @Test
  void aRoundAttemptStoppedMidRoundResumesFromItsStoredLinkWithNothingLostOrRepeated() {
    createMailbox(10);
    JobId job = submitFollowed("inbox");
    int history = awaitRunEvent(RunId.fetch(job), RunCompleted.class).chunks();
    awaitJobEvent(job, FollowStarted.class);
    FollowRoundCompleted one = awaitRound(job, 1);
    int before = one.round();
    int historyAndRounds = one.lastSeq() != null ? one.lastSeq() : history;
    awaitChunks(job, historyAndRounds);

    // 250 arrivals: the next round is three pages, each slowed so the round is caught mid-way.
    List<String> delivered = deliver(250, "inbox");
    addLatency(1_500L);
    await("the first page of the round")
        .atMost(WAIT)
        .until(() -> chunksOf(job).size() > historyAndRounds);
    Chunk first = followChunks(job).get(followChunks(job).size() - 1);
    RunId run = RunId.follow(job, first.followRound());
    RunStarted started =
        ofType(runEventsOf(run), RunStarted.class)
            .get(ofType(runEventsOf(run), RunStarted.class).size() - 1);
    control(
        new RunTimedOut(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            run,
            started.attemptId(),
            1,
            new TimeoutDiagnosis(
                TimeoutDiagnosis.RULE_DEADLINE,
                Lane.FOLLOW,
                100L,
                5_000,
                1_500L,
                null,
                null,
                null)));
    control(
        new RetryDue(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            run,
            Lane.FOLLOW,
            started.attemptId(),
            2,
            "timed out",
            null));

    FollowRoundCompleted round = awaitRound(job, first.followRound());
    assertThat(round.round()).isGreaterThan(before);
    assertThat(ofType(runEventsOf(run), RunStarted.class)).hasSizeGreaterThanOrEqualTo(2);
    // The latest record of each seq (a page re-fetched after the stop keeps its seq).
    Map<Integer, Chunk> bySeq = new TreeMap<>();
    followChunks(job).stream()
        .filter(c -> c.followRound() == round.round())
        .forEach(c -> bySeq.put(c.seq(), c));
    List<String> ids = listedIds(List.copyOf(bySeq.values())).stream().toList();
    List<String> all =
        bySeq.values().stream().flatMap(c -> c.messages().stream()).map(MailMessage::id).toList();
    assertThat(all).doesNotHaveDuplicates();
    assertThat(ids).containsExactlyInAnyOrderElementsOf(delivered);
    assertThat(round.listed()).isEqualTo(250);
    assertThat(bySeq.keySet())
        .containsExactly(round.firstSeq(), round.firstSeq() + 1, round.lastSeq());
  }

  @Test
  void followJobOnACompletedJobListsEveryFolderAfreshWithSweepsAndIgnoresAnotherTenant() {
    createMailbox(40);
    BackfillRequested request =
        BackfillRequested.of(tenant, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    records.request(request);
    JobId job = JobId.derive(tenant, request.requestId());
    int historyChunks = awaitRunEvent(RunId.fetch(job), RunCompleted.class).chunks();
    awaitChunks(job, historyChunks);

    command(FollowJob.of("intruder-" + UUID.randomUUID(), job, 1));
    command(FollowJob.of(tenant, job, 1));
    awaitJobEvent(job, FollowStarted.class);
    assertThat(ofType(jobEventsOf(job), FollowStarted.class)).hasSize(1);
    FollowRoundCompleted round = awaitRound(job, 1);

    List<Chunk> first = followChunks(job).stream().filter(c -> c.followRound() == 1).toList();
    assertThat(first).allSatisfy(c -> assertThat(c.seq()).isGreaterThan(historyChunks));
    assertThat(listedIds(first)).hasSize(40);
    List<Chunk> swept = first.stream().filter(c -> c.sweep() != null).toList();
    assertThat(swept).hasSize(round.folders());
    assertThat(swept.stream().map(c -> c.sweep().folderId()).collect(Collectors.toSet()))
        .hasSize(round.folders());
    assertThat(round.listed()).isEqualTo(40);
    assertThat(round.resyncedFolders()).isZero();
    assertThat(round.firstSeq()).isEqualTo(historyChunks + 1);
  }

  // --- helpers

  private JobId submitFollowed(String folder) {
    BackfillRequested request =
        BackfillRequested.following(
            tenant, "req-" + UUID.randomUUID(), mailbox, FROM, TO, folder, 1);
    records.request(request);
    return JobId.derive(tenant, request.requestId());
  }

  /** The tap has caught up with the job's first {@code count} chunks. */
  private void awaitChunks(JobId job, int count) {
    await("the first " + count + " chunks of job " + job)
        .atMost(WAIT)
        .until(() -> chunksOf(job).stream().map(Chunk::seq).distinct().count() >= count);
  }

  private FollowRoundCompleted awaitRound(JobId job, int round) {
    await("round " + round + " of job " + job)
        .atMost(WAIT)
        .until(
            () ->
                ofType(jobEventsOf(job), FollowRoundCompleted.class).stream()
                    .anyMatch(r -> r.round() == round));
    return ofType(jobEventsOf(job), FollowRoundCompleted.class).stream()
        .filter(r -> r.round() == round)
        .findFirst()
        .orElseThrow();
  }

  private void createMailbox(int size) {
    given()
        .baseUri(GraphSimulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(Map.of("address", mailbox, "size", size, "seed", 7))
        .post("/admin/mailboxes")
        .then()
        .statusCode(201);
  }

  private List<String> deliver(int count, String folder) {
    return given()
        .baseUri(GraphSimulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(Map.of("count", count, "folder", folder))
        .post("/admin/mailboxes/" + mailbox + "/deliveries")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("ids", String.class);
  }

  private void patch(String id) {
    given()
        .baseUri(GraphSimulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(Map.of("subject", "changed " + id))
        .patch("/admin/mailboxes/" + mailbox + "/messages/" + id)
        .then()
        .statusCode(200);
  }

  private void delete(String id) {
    given()
        .baseUri(GraphSimulator.baseUrl())
        .delete("/admin/mailboxes/" + mailbox + "/messages/" + id)
        .then()
        .statusCode(204);
  }

  private String move(String id, String destination) {
    return given()
        .baseUri(GraphSimulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(Map.of("destination", destination))
        .post("/admin/mailboxes/" + mailbox + "/messages/" + id + "/move")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getString("id");
  }

  private void addLatency(long latencyMs) {
    Map<String, Object> fault = new HashMap<>();
    fault.put("target", mailbox);
    fault.put("kind", "latency");
    fault.put("times", 0);
    fault.put("latencyMs", latencyMs);
    given()
        .baseUri(GraphSimulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(fault)
        .post("/admin/faults")
        .then()
        .statusCode(201);
  }

  private void command(BackfillCommand command) {
    records.command(command);
  }

  private void control(io.backfill.contracts.event.RunControlEvent event) {
    records.control(event);
  }

  private <T extends RunEvent> T awaitRunEvent(RunId run, Class<T> type) {
    return records.awaitRunEvent(run, type);
  }

  private <T extends JobEvent> T awaitJobEvent(JobId job, Class<T> type) {
    return records.awaitJobEvent(job, type);
  }

  private List<Chunk> chunksOf(JobId job) {
    return records.chunksOf(job);
  }

  private List<Chunk> followChunks(JobId job) {
    return chunksOf(job).stream().filter(c -> c.followRound() != null).toList();
  }

  private List<RunEvent> runEventsOf(RunId run) {
    return records.runEventsOf(run);
  }

  private List<JobEvent> jobEventsOf(JobId job) {
    return records.jobEventsOf(job);
  }

  private static <E, T extends E> List<T> ofType(List<E> events, Class<T> type) {
    return LaneRecords.ofType(events, type);
  }

  private static Set<String> listedIds(List<Chunk> chunks) {
    return chunks.stream()
        .flatMap(c -> c.messages().stream())
        .map(MailMessage::id)
        .collect(Collectors.toSet());
  }

  private static Set<String> removedIds(List<Chunk> chunks) {
    return chunks.stream()
        .flatMap(c -> c.removals().stream())
        .map(RemovedMessage::id)
        .collect(Collectors.toSet());
  }

  private String followState(JobId job) {
    try (java.sql.Connection connection = dataSource.getConnection();
        java.sql.PreparedStatement query =
            connection.prepareStatement("SELECT follow_state FROM jobs WHERE job_id = ?")) {
      query.setObject(1, UUID.fromString(job.value()));
      try (java.sql.ResultSet rows = query.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private double changes(String kind) {
    return metrics.find("backfill_follow_changes_total").tag("kind", kind).counter().count();
  }

  private double counter(String name) {
    return metrics.find(name).counter().count();
  }
}
