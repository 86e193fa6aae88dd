package io.backfill.fetcher;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.CancelJob;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.JobRejected;
import io.backfill.contracts.event.JobResumed;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.PauseJob;
import io.backfill.contracts.event.ResumeJob;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.event.TimeoutDiagnosis;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.backfill.testkit.BackfillInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fetch lane end to end: real broker, real PostgreSQL, the outlook-simulator over HTTP. Each
 * test has its own tenant and mailbox, so faults and records never cross tests.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = GraphSimulator.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = GatewayStandIn.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FetchRunTest {

  private static final Duration WAIT = LaneRecords.WAIT;
  private static final Instant FROM = LaneRecords.FROM;
  private static final Instant TO = LaneRecords.TO;

  @Inject JobStore store;
  @Inject MeterRegistry metrics;
  @Inject javax.sql.DataSource dataSource;

  private LaneRecords records;
  private String tenant;
  private String mailbox;

  @BeforeEach
  void setUp() {
    records = LaneRecords.open();
    tenant = records.tenant();
    mailbox = "box-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
  }

  @AfterEach
  void tearDown() {
    records.close();
  }

  @Test
  void windowOf2350MessagesBecomesExactly24ChunksWithEveryMessageOnce() {
    createMailbox(2350);

    JobId job = submit();
    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);

    List<Chunk> published = chunksOf(job);
    assertThat(published).hasSize(24);
    assertThat(published.stream().map(Chunk::seq).toList())
        .containsExactlyInAnyOrderElementsOf(range(1, 24));
    assertThat(published).allSatisfy(c -> assertThat(c.messages()).hasSizeLessThanOrEqualTo(100));
    assertThat(published.stream().filter(Chunk::last).map(Chunk::seq).toList()).containsExactly(24);
    assertThat(messageIds(published)).hasSize(2350).doesNotHaveDuplicates();
    assertThat(published.stream().flatMap(c -> c.messages().stream()))
        .allSatisfy(
            m ->
                assertThat(m.body().getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(10_240));
    assertThat(completed.chunks()).isEqualTo(24);
    assertThat(completed.messages()).isEqualTo(2350);

    List<RunEvent> runs = runEventsOf(job);
    assertThat(runs.get(0)).isInstanceOf(RunStarted.class);
    assertThat(runs.get(runs.size() - 1)).isInstanceOf(RunCompleted.class);
    List<JobEvent> jobs = jobEventsOf(job);
    assertThat(jobs.get(0)).isInstanceOf(JobAccepted.class);
    List<JobFetchProgress> progress = ofType(jobs, JobFetchProgress.class);
    assertThat(progress).hasSize(24);
    assertThat(progress.stream().filter(p -> !p.hasMore()).map(JobFetchProgress::chunksPublished))
        .containsExactly(24);
    assertThat(progress.get(23).messagesFetched()).isEqualTo(2350);
    JobRow row = job(job);
    assertThat(row.status()).isEqualTo("fetched");
    assertThat(row.pagesPublished()).isEqualTo(24);
    assertThat(row.messagesPublished()).isEqualTo(2350);
    assertThat(row.nextLink()).isNull();
    // Intake and 24 pages of tokens asked the gateway once: the connection is cached.
    assertThat(GatewayStandIn.calls(tenant)).isEqualTo(1);
    assertThat(GatewayStandIn.unauthorized()).isZero();
  }

  @Test
  void requestOfATenantTheGatewayDoesNotKnowIsRejected() {
    String stranger = "stranger-" + UUID.randomUUID();
    BackfillRequested request =
        BackfillRequested.of(stranger, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    JobId job = JobId.derive(stranger, request.requestId());

    records.request(request);

    JobRejected rejected = awaitJobEvent(job, JobRejected.class);
    assertThat(rejected.reason()).isEqualTo("unknown-tenant");
    assertThat(rejected.tenantId()).isEqualTo(stranger);
    assertThat(QuarkusTransaction.requiringNew().call(() -> store.find(job))).isEmpty();
    // The registry said no: its Graph connection was never asked for.
    assertThat(GatewayStandIn.calls(stranger)).isZero();
  }

  @Test
  void requestOfARegisteredTenantWithoutAGraphConnectionIsRejectedAsUnknown() {
    String unconnected = "unconnected-" + UUID.randomUUID();
    GatewayStandIn.registerWithoutConnection(unconnected);
    BackfillRequested request =
        BackfillRequested.of(unconnected, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    JobId job = JobId.derive(unconnected, request.requestId());

    records.request(request);

    assertThat(awaitJobEvent(job, JobRejected.class).reason()).isEqualTo("unknown-tenant");
    assertThat(QuarkusTransaction.requiringNew().call(() -> store.find(job))).isEmpty();
    assertThat(GatewayStandIn.calls(unconnected)).isEqualTo(1);
  }

  @Test
  void requestOfASuspendedTenantIsRejectedAsTenantSuspended() {
    String suspended = "suspended-" + UUID.randomUUID();
    GatewayStandIn.register(suspended, GraphSimulator.DIRECTORY, null, null);
    GatewayStandIn.suspend(suspended);
    BackfillRequested request =
        BackfillRequested.of(suspended, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    JobId job = JobId.derive(suspended, request.requestId());

    records.request(request);

    assertThat(awaitJobEvent(job, JobRejected.class).reason()).isEqualTo("tenant-suspended");
    assertThat(QuarkusTransaction.requiringNew().call(() -> store.find(job))).isEmpty();
    assertThat(GatewayStandIn.calls(suspended)).isZero();
  }

  @Test
  void requestWaitsOutARegistryThatDoesNotAnswerAndIsThenAccepted() {
    createMailbox(120);
    GatewayStandIn.failRegistry(tenant, 2);
    double retriedBefore = transientRetries("intake");

    JobId job = submit();

    awaitJobEvent(job, JobAccepted.class);
    assertThat(transientRetries("intake")).isGreaterThanOrEqualTo(retriedBefore + 2);
    assertThat(jobEventsOf(job)).noneMatch(JobRejected.class::isInstance);
    assertThat(awaitRunEvent(job, RunCompleted.class).messages()).isEqualTo(120);
  }

  @Test
  void commandsAndRunControlNamingAnotherTenantLeaveTheJobAlone() {
    createMailbox(500);
    addFault("latency", 0, null, 300L);
    JobId job = submit();
    RunStarted started = awaitRunEvent(job, RunStarted.class);
    double ignoredBefore = commandsIgnored("tenant_mismatch");
    String intruder = "intruder-" + UUID.randomUUID();

    command(PauseJob.of(intruder, job, "not mine"));
    command(CancelJob.of(intruder, job, "not mine"));
    control(
        new RunTimedOut(
            UUID.randomUUID(),
            1,
            Instant.now(),
            intruder,
            job,
            started.runId(),
            started.attemptId(),
            1,
            new TimeoutDiagnosis(
                TimeoutDiagnosis.RULE_DEADLINE,
                Lane.FETCH,
                100L,
                5_000,
                1_500L,
                null,
                null,
                null)));

    await().atMost(WAIT).until(() -> commandsIgnored("tenant_mismatch") >= ignoredBefore + 3);
    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);
    assertThat(completed.attemptId()).isEqualTo(started.attemptId());
    assertThat(completed.chunks()).isEqualTo(5);
    assertThat(jobEventsOf(job))
        .noneMatch(e -> e instanceof JobPaused || e instanceof JobCancelled);
    assertThat(runEventsOf(job)).noneMatch(RunStopped.class::isInstance);
    assertThat(job(job).status()).isEqualTo("fetched");
  }

  @Test
  void directoryThatRefusesTheAppFailsTheJobAsNonRetryableWithTheAadstsCode() {
    // The default app is not registered in this directory, and the tenant names no app of its own.
    GatewayStandIn.register(tenant, GraphSimulator.OWN_APP_DIRECTORY, null, null);
    createMailbox(120);

    JobId job = submit();

    RunFailed failed = awaitRunEvent(job, RunFailed.class);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error().type()).isEqualTo("AADSTS700016");
    assertThat(awaitJobEvent(job, JobFailed.class).error().type()).isEqualTo("AADSTS700016");
    await().atMost(WAIT).until(() -> job(job).status().equals("failed"));
    assertThat(chunksOf(job)).isEmpty();
  }

  @Test
  void tenantWithManyJobsCannotHoldEverySlotWhileAnotherTenantWaits() {
    // 4 slots, at most 2 per tenant while another waits (GraphSimulator's settings).
    createMailbox(300);
    addFault("latency", 0, null, 400L);
    String other = "other-" + UUID.randomUUID();
    String otherMailbox = "box-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
    GatewayStandIn.register(other, GraphSimulator.DIRECTORY, null, null);
    createMailbox(otherMailbox, 100);

    List<JobId> many = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      many.add(submit());
    }
    // Jobs beyond the slots wait as pending: they are not claimed before their slot is free.
    await()
        .atMost(WAIT)
        .until(
            () ->
                many.stream().filter(j -> statusOf(j).equals("running")).count() == 4
                    && many.stream().filter(j -> statusOf(j).equals("pending")).count() >= 5);
    BackfillRequested request =
        BackfillRequested.of(other, "req-" + UUID.randomUUID(), otherMailbox, FROM, TO, null);
    records.request(request);
    JobId lone = JobId.derive(other, request.requestId());

    RunStarted loneStarted = awaitRunEvent(lone, RunStarted.class);
    List<Instant> manyStarted = new java.util.ArrayList<>();
    for (JobId job : many) {
      assertThat(awaitRunEvent(job, RunCompleted.class).messages()).isEqualTo(300);
      manyStarted.add(ofType(runEventsOf(job), RunStarted.class).get(0).occurredAt());
    }
    // The lone job started while the busy tenant still had jobs waiting, not after all of them.
    assertThat(manyStarted).anyMatch(t -> t.isAfter(loneStarted.occurredAt()));
    assertThat(awaitRunEvent(lone, RunCompleted.class).messages()).isEqualTo(100);
  }

  @Test
  void tenantWithItsOwnAppGetsTokensFromItsDirectoryWithThatApp() {
    // The fetcher's default app is not registered in this directory: only the tenant's own works.
    GatewayStandIn.register(
        tenant,
        GraphSimulator.OWN_APP_DIRECTORY,
        GraphSimulator.OWN_APP_ID,
        GraphSimulator.OWN_APP_SECRET);
    createMailbox(120);

    JobId job = submit();

    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);
    assertThat(completed.messages()).isEqualTo(120);
  }

  @Test
  void gatewayTimeoutStormIsRetriedWithBackoffAndTheJobCompletes() {
    createMailbox(250);
    addFault("gateway-timeout", 4, null, null);
    double before = retries("gateway_timeout");

    JobId job = submit();
    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);

    assertThat(completed.chunks()).isEqualTo(3);
    assertThat(messageIds(chunksOf(job))).hasSize(250).doesNotHaveDuplicates();
    assertThat(retries("gateway_timeout") - before).isEqualTo(4);
  }

  @Test
  void throttledRequestWaitsRetryAfterWhileHeartbeatsKeepFlowing() {
    createMailbox(150);
    addFault("throttle", 1, 2, null);
    double before = retries("throttled");

    JobId job = submit();
    awaitRunEvent(job, RunCompleted.class);

    assertThat(retries("throttled") - before).isEqualTo(1);
    List<RunEvent> runs = runEventsOf(job);
    Instant started = runs.get(0).occurredAt();
    Instant ended = runs.get(runs.size() - 1).occurredAt();
    assertThat(Duration.between(started, ended)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(ofType(runs, RunHeartbeat.class))
        .anySatisfy(h -> assertThat(h.progress().phase()).isEqualTo("backoff:throttled"));
  }

  @Test
  void hungGraphCallEndsAtTheReadTimeoutAndIsRetried() {
    createMailbox(150);
    addFault("hang", 1, null, null);
    double before = retries("timeout");

    JobId job = submit();
    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);

    assertThat(completed.messages()).isEqualTo(150);
    assertThat(retries("timeout") - before).isEqualTo(1);
  }

  @Test
  void revokedTokenIsRenewedOnceAndPagingGoesOn() {
    createMailbox(250);
    addFault("revoke-token", 1, null, null);
    double before = retries("unauthorized");

    JobId job = submit();
    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);

    assertThat(completed.messages()).isEqualTo(250);
    assertThat(retries("unauthorized") - before).isEqualTo(1);
  }

  @Test
  void mailboxGraphDoesNotKnowFailsTheJobAsNonRetryableWithGraphsMessage() {
    // No mailbox created: Graph answers 404 ErrorItemNotFound.
    JobId job = submit();

    RunFailed failed = awaitRunEvent(job, RunFailed.class);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error().type()).isEqualTo("ErrorItemNotFound");
    assertThat(failed.error().message()).contains("404").contains("invalid or has no mailbox");
    JobFailed jobFailed = awaitJobEvent(job, JobFailed.class);
    assertThat(jobFailed.error().type()).isEqualTo("ErrorItemNotFound");
    await().atMost(WAIT).until(() -> job(job).status().equals("failed"));
    ErrorInfo last =
        QuarkusTransaction.requiringNew().call(() -> store.lastError(job)).orElseThrow();
    assertThat(last.message()).contains("invalid or has no mailbox");
    assertThat(last.stackTrace()).contains("GraphRequestRejected");
    assertThat(chunksOf(job)).isEmpty();
  }

  @Test
  void badRequestFromGraphFailsTheJobAsNonRetryableWithGraphsMessageAndAsksGraphOnce() {
    createMailbox(250);
    String graphMessage = "The mailbox is on litigation hold and cannot be listed.";
    // Every call on this mailbox is refused (no count limit): a retry would be refused again and
    // show in the simulator's counter.
    Map<String, Object> fault = new java.util.HashMap<>();
    fault.put("target", mailbox);
    fault.put("kind", "bad-request");
    fault.put("code", "ErrorInvalidRequest");
    fault.put("message", graphMessage);
    postFault(fault);
    double failedBefore = attempts("failed");

    JobId job = submit();

    RunFailed failed = awaitRunEvent(job, RunFailed.class);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error().type()).isEqualTo("ErrorInvalidRequest");
    assertThat(failed.error().message()).contains("400").contains(graphMessage);
    JobFailed jobFailed = awaitJobEvent(job, JobFailed.class);
    assertThat(jobFailed.error().type()).isEqualTo("ErrorInvalidRequest");
    assertThat(jobFailed.error().message()).contains(graphMessage);
    await().atMost(WAIT).until(() -> job(job).status().equals("failed"));
    ErrorInfo last =
        QuarkusTransaction.requiringNew().call(() -> store.lastError(job)).orElseThrow();
    assertThat(last.type()).isEqualTo("ErrorInvalidRequest");
    assertThat(last.message()).contains(graphMessage);
    assertThat(last.stackTrace()).contains("GraphRequestRejected");
    // Graph was asked for the first page once: no retry, no token renewal, nothing published.
    await().atMost(WAIT).untilAsserted(() -> assertThat(graphCalls()).isNotEmpty());
    assertThat(graphCalls()).containsExactly(Map.entry("400", 1));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(attempts("failed") - failedBefore).isEqualTo(1));
    assertThat(chunksOf(job)).isEmpty();
    assertThat(runEventsOf(job))
        .noneMatch(e -> e instanceof RunCompleted || e instanceof RunStopped);
    assertThat(jobEventsOf(job)).noneMatch(JobFetchProgress.class::isInstance);
  }

  @Test
  void firstGraphCallSlowerThanTheStaleThresholdIsCoveredByRunStartedAndHeartbeats() {
    createMailbox(50);
    // 3 s against a stale threshold of 3 x 500 ms (LESSONS 11).
    addFault("latency", 1, null, 3_000L);

    JobId job = submit();
    awaitRunEvent(job, RunCompleted.class);

    List<RunEvent> runs = runEventsOf(job);
    RunStarted started = (RunStarted) runs.get(0);
    assertThat(started.heartbeatIntervalMs()).isEqualTo(500);
    List<RunHeartbeat> beats = ofType(runs, RunHeartbeat.class);
    assertThat(beats).hasSizeGreaterThanOrEqualTo(4);
    // No gap between proofs of life longer than the stale threshold.
    Instant previous = started.occurredAt();
    for (RunHeartbeat beat : beats) {
      assertThat(Duration.between(previous, beat.occurredAt()))
          .isLessThan(Duration.ofMillis(1_500));
      previous = beat.occurredAt();
    }
  }

  @Test
  void pauseEndsTheAttemptAfterThePageInFlightAndResumeContinuesFromTheCheckpoint() {
    createMailbox(1000);
    addFault("latency", 0, null, 300L);
    JobId job = submit();
    await().atMost(WAIT).until(() -> chunksOf(job).size() >= 2);

    command(PauseJob.of(tenant, job, "operator"));
    awaitJobEvent(job, JobPaused.class);
    RunStopped ended = awaitRunEvent(job, RunStopped.class);
    assertThat(ended.reason()).isEqualTo(RunStopped.PAUSED);
    assertThat(runEventsOf(job)).noneMatch(RunFailed.class::isInstance);
    JobRow paused = job(job);
    assertThat(paused.status()).isEqualTo("paused");
    assertThat(paused.pagesPublished()).isLessThan(10);

    command(ResumeJob.of(tenant, job, "operator"));
    awaitJobEvent(job, JobResumed.class);
    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);

    assertThat(completed.chunks()).isEqualTo(10);
    assertExactlyOnceInEffect(job, 10, 1000);
    assertThat(ofType(runEventsOf(job), RunStarted.class)).hasSize(2);
  }

  @Test
  void pendingJobIsResumed() {
    createMailbox(120);
    BackfillRequested request =
        BackfillRequested.of(tenant, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    JobId job = JobId.derive(tenant, request.requestId());
    QuarkusTransaction.requiringNew().run(() -> store.insertIfAbsent(job, request));

    command(ResumeJob.of(tenant, job, "operator"));

    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);
    assertThat(completed.messages()).isEqualTo(120);
    awaitJobEvent(job, JobResumed.class);
  }

  @Test
  void cancelStopsTheJobForGood() {
    createMailbox(1000);
    addFault("latency", 0, null, 300L);
    JobId job = submit();
    await().atMost(WAIT).until(() -> !chunksOf(job).isEmpty());

    command(CancelJob.of(tenant, job, "operator"));

    awaitJobEvent(job, JobCancelled.class);
    RunStopped ended = awaitRunEvent(job, RunStopped.class);
    assertThat(ended.reason()).isEqualTo(RunStopped.CANCELLED);
    assertThat(runEventsOf(job)).noneMatch(RunFailed.class::isInstance);
    assertThat(job(job).status()).isEqualTo("cancelled");
    assertThat(runEventsOf(job)).noneMatch(RunCompleted.class::isInstance);
    assertThat(chunksOf(job).size()).isLessThan(10);
  }

  @Test
  void timedOutAttemptStopsAndRetryDueResumesItFromTheCheckpoint() {
    createMailbox(800);
    addFault("latency", 0, null, 300L);
    JobId job = submit();
    RunStarted first = awaitRunEvent(job, RunStarted.class);
    await().atMost(WAIT).until(() -> chunksOf(job).size() >= 2);

    control(
        new RunTimedOut(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            first.runId(),
            first.attemptId(),
            1,
            new TimeoutDiagnosis(
                TimeoutDiagnosis.RULE_DEADLINE,
                Lane.FETCH,
                100L,
                5_000,
                1_500L,
                null,
                null,
                null)));
    await().atMost(WAIT).until(() -> job(job).status().equals("timed_out"));
    control(
        new RetryDue(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenant,
            job,
            RunId.fetch(job),
            Lane.FETCH,
            first.attemptId(),
            2,
            "timed out",
            null));

    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);
    assertThat(completed.attemptId()).isNotEqualTo(first.attemptId());
    assertThat(completed.chunks()).isEqualTo(8);
    assertExactlyOnceInEffect(job, 8, 800);
    // The timed-out attempt was fenced: it completed nothing and sent no failure of its own.
    assertThat(runEventsOf(job))
        .filteredOn(e -> e.attemptId().equals(first.attemptId()))
        .noneMatch(e -> e instanceof RunCompleted || e instanceof RunFailed);
  }

  @Test
  void moreJobsThanSlotsAllRunAndNoneIsRunningBeforeItsRunStarted() {
    // 4 slots (GraphSimulator's settings): 10 jobs, 6 of them wait in the database as pending.
    createMailbox(200);
    addFault("latency", 0, null, 200L);
    List<JobId> jobs = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      jobs.add(submit());
    }
    Map<JobId, Instant> firstSeenRunning = new java.util.concurrent.ConcurrentHashMap<>();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              for (JobId job : jobs) {
                Instant now = Instant.now();
                if (statusOf(job).equals("running")) {
                  firstSeenRunning.putIfAbsent(job, now);
                }
              }
              return jobs.stream().allMatch(j -> statusOf(j).equals("fetched"));
            });
    for (JobId job : jobs) {
      assertThat(awaitRunEvent(job, RunCompleted.class).messages()).isEqualTo(200);
      RunStarted started = ofType(runEventsOf(job), RunStarted.class).get(0);
      if (firstSeenRunning.containsKey(job)) {
        // Running is written only after the broker acknowledged RunStarted.
        assertThat(started.occurredAt()).isBeforeOrEqualTo(firstSeenRunning.get(job));
      }
      assertThat(ofType(runEventsOf(job), RunStarted.class)).hasSize(1);
      assertThat(chunksOf(job)).hasSize(2);
    }
    assertThat(firstSeenRunning).isNotEmpty();
  }

  @Test
  void aJobQueuedByAnInstanceThatDiedBeforeRunStartedIsClaimedWithoutAnyCommand() {
    createMailbox(150);
    BackfillRequested request =
        BackfillRequested.of(tenant, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    JobId job = JobId.derive(tenant, request.requestId());
    QuarkusTransaction.requiringNew().run(() -> store.insertIfAbsent(job, request));
    // As a SIGKILL leaves it: queued, claimed by an attempt that never announced itself.
    sql(
        "UPDATE jobs SET queued_at = now(), attempt_id = ?, last_alive_at = now() - interval '1"
            + " hour' WHERE job_id = ?",
        UUID.randomUUID(),
        UUID.fromString(job.value()));

    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);

    assertThat(completed.messages()).isEqualTo(150);
    // The chunks were acknowledged before RunCompleted, but the test reads them on another tap.
    await().atMost(WAIT).untilAsserted(() -> assertThat(chunksOf(job)).hasSize(2));
    assertThat(job(job).status()).isEqualTo("fetched");
  }

  @Test
  void aJobClaimedByADeadAttemptIsTakenOverByRetryDueAndPublishesEachPageOnce() {
    UUID oldAttempt = UUID.randomUUID();
    // As a fetcher SIGKILLed after its last page's checkpoint leaves it: every page published,
    // still running, its attempt alive (another instance still renews it).
    JobId job = jobWithEveryPagePublished("running", oldAttempt);
    double ignoredBefore = commandsIgnored("not_applicable");

    control(retryDue(job, oldAttempt));
    await().atMost(WAIT).until(() -> commandsIgnored("not_applicable") > ignoredBefore);
    assertThat(job(job).status()).isEqualTo("running");

    // Its attempt stops renewing: dead, and the next RetryDue takes the job over.
    sql(
        "UPDATE jobs SET last_alive_at = now() - interval '1 hour' WHERE job_id = ?",
        UUID.fromString(job.value()));
    control(retryDue(job, oldAttempt));

    assertCompletedFromTheCheckpointBy(job, oldAttempt);
  }

  @Test
  void aRetryDueForAFetchedJobCompletesItsRunAgainWithoutFetching() {
    UUID timedOutAttempt = UUID.randomUUID();
    // As a broker outage leaves it: the attempt fetched every page and sent its RunCompleted, but
    // the ledger had timed it out first (no heartbeat got through), fenced the completion and
    // scheduled a retry.
    JobId job = jobWithEveryPagePublished("fetched", null);

    control(retryDue(job, timedOutAttempt));

    assertCompletedFromTheCheckpointBy(job, timedOutAttempt);
  }

  /**
   * A job of a 300-message mailbox whose 3 pages were all published and checkpointed, in {@code
   * status}, owned by {@code attempt} (alive: renewed now) or by none.
   */
  private JobId jobWithEveryPagePublished(String status, UUID attempt) {
    createMailbox(300);
    BackfillRequested request =
        BackfillRequested.of(tenant, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    JobId job = JobId.derive(tenant, request.requestId());
    QuarkusTransaction.requiringNew().run(() -> store.insertIfAbsent(job, request));
    sql(
        "UPDATE jobs SET status = ?, pages_published = 3, messages_published = 300,"
            + " next_link = NULL WHERE job_id = ?",
        status,
        UUID.fromString(job.value()));
    if (attempt != null) {
      sql(
          "UPDATE jobs SET attempt_id = ?, last_alive_at = now() WHERE job_id = ?",
          attempt,
          UUID.fromString(job.value()));
    }
    return job;
  }

  /**
   * The run completed by a new attempt (not {@code earlier}) with the checkpoint's 3 chunks and 300
   * messages, nothing fetched or published again, and the job fetched.
   */
  private void assertCompletedFromTheCheckpointBy(JobId job, UUID earlier) {
    RunCompleted completed = awaitRunEvent(job, RunCompleted.class);
    assertThat(completed.chunks()).isEqualTo(3);
    assertThat(completed.messages()).isEqualTo(300);
    assertThat(completed.attemptId().value()).isNotEqualTo(earlier);
    await().atMost(WAIT).until(() -> statusOf(job).equals("fetched"));
    assertThat(chunksOf(job)).isEmpty();
    assertThat(graphCalls()).isEmpty();
    assertThat(ofType(jobEventsOf(job), JobFetchProgress.class)).isEmpty();
  }

  @Test
  void pauseOfAFetchedJobIsAnnouncedAndItsResumeReturnsItToFetchedWithoutFetching() {
    createMailbox(120);
    JobId job = submit();
    awaitRunEvent(job, RunCompleted.class);
    await().atMost(WAIT).until(() -> statusOf(job).equals("fetched"));
    Map<String, Integer> callsWhenFetched = graphCalls();

    command(PauseJob.of(tenant, job, "operator"));
    assertThat(awaitJobEvent(job, JobPaused.class).tenantId()).isEqualTo(tenant);
    assertThat(job(job).status()).isEqualTo("paused");

    command(ResumeJob.of(tenant, job, "operator"));
    awaitJobEvent(job, JobResumed.class);
    await().atMost(WAIT).until(() -> statusOf(job).equals("fetched"));

    command(CancelJob.of(tenant, job, "operator"));
    awaitJobEvent(job, JobCancelled.class);
    assertThat(job(job).status()).isEqualTo("cancelled");

    assertThat(ofType(runEventsOf(job), RunStarted.class)).hasSize(1);
    assertThat(chunksOf(job)).hasSize(2);
    assertThat(graphCalls()).isEqualTo(callsWhenFetched);
  }

  @Test
  void sixJobsOnOneMailboxNeverHaveMoreThanFourGraphRequestsInFlight() {
    createMailbox(300);
    // Slow answers keep requests overlapping; past 4 in flight the simulator answers 429.
    addFault("latency", 0, null, 400L);
    double throttledBefore = retries("throttled");

    List<JobId> jobs = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      jobs.add(submit());
    }

    for (JobId job : jobs) {
      assertThat(awaitRunEvent(job, RunCompleted.class).messages()).isEqualTo(300);
    }
    assertThat(retries("throttled")).isEqualTo(throttledBefore);
    List<Map<String, Object>> counters =
        given()
            .baseUri(GraphSimulator.baseUrl())
            .get("/admin/counters")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("$");
    assertThat(counters)
        .filteredOn(c -> mailbox.equals(c.get("target")))
        .isNotEmpty()
        .noneMatch(c -> String.valueOf(c.get("status")).equals("429"));
  }

  private void assertExactlyOnceInEffect(JobId job, int pages, int messages) {
    List<Chunk> published = chunksOf(job);
    Map<Integer, Long> perSeq =
        published.stream().collect(Collectors.groupingBy(Chunk::seq, Collectors.counting()));
    assertThat(perSeq.keySet()).containsExactlyInAnyOrderElementsOf(range(1, pages));
    // At most the one page in flight when the attempt stopped is published twice, with its seq.
    assertThat(perSeq.values().stream().filter(n -> n > 1).count()).isLessThanOrEqualTo(1);
    Map<Integer, Chunk> bySeq =
        published.stream().collect(Collectors.toMap(Chunk::seq, c -> c, (a, b) -> a));
    assertThat(messageIds(List.copyOf(bySeq.values()))).hasSize(messages).doesNotHaveDuplicates();
  }

  private void createMailbox(int size) {
    createMailbox(mailbox, size);
  }

  private void createMailbox(String address, int size) {
    given()
        .baseUri(GraphSimulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(Map.of("address", address, "size", size, "seed", 7))
        .post("/admin/mailboxes")
        .then()
        .statusCode(201);
  }

  private void addFault(String kind, int times, Integer retryAfterSeconds, Long latencyMs) {
    Map<String, Object> fault = new java.util.HashMap<>();
    fault.put("target", mailbox);
    fault.put("kind", kind);
    fault.put("times", times);
    if (retryAfterSeconds != null) {
      fault.put("retryAfterSeconds", retryAfterSeconds);
    }
    if (latencyMs != null) {
      fault.put("latencyMs", latencyMs);
    }
    postFault(fault);
  }

  private void postFault(Map<String, Object> fault) {
    given()
        .baseUri(GraphSimulator.baseUrl())
        .contentType(ContentType.JSON)
        .body(fault)
        .post("/admin/faults")
        .then()
        .statusCode(201);
  }

  private JobId submit() {
    BackfillRequested request =
        BackfillRequested.of(tenant, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    records.request(request);
    return JobId.derive(tenant, request.requestId());
  }

  private void command(BackfillCommand command) {
    records.command(command);
  }

  private void control(io.backfill.contracts.event.RunControlEvent event) {
    records.control(event);
  }

  private <T extends RunEvent> T awaitRunEvent(JobId job, Class<T> type) {
    return records.awaitRunEvent(RunId.fetch(job), type);
  }

  private <T extends JobEvent> T awaitJobEvent(JobId job, Class<T> type) {
    return records.awaitJobEvent(job, type);
  }

  private List<Chunk> chunksOf(JobId job) {
    return records.chunksOf(job);
  }

  private List<RunEvent> runEventsOf(JobId job) {
    return records.runEventsOf(RunId.fetch(job));
  }

  private List<JobEvent> jobEventsOf(JobId job) {
    return records.jobEventsOf(job);
  }

  private static <E, T extends E> List<T> ofType(List<E> events, Class<T> type) {
    return LaneRecords.ofType(events, type);
  }

  private static List<String> messageIds(List<Chunk> chunks) {
    return chunks.stream().flatMap(c -> c.messages().stream()).map(MailMessage::id).toList();
  }

  private static Set<Integer> range(int from, int to) {
    Set<Integer> all = new HashSet<>();
    for (int i = from; i <= to; i++) {
      all.add(i);
    }
    return all;
  }

  private RetryDue retryDue(JobId job, UUID retryOf) {
    return new RetryDue(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenant,
        job,
        RunId.fetch(job),
        Lane.FETCH,
        new io.backfill.contracts.id.AttemptId(retryOf),
        2,
        "timed out",
        null);
  }

  /** A statement on the fetcher's schema, as another instance or a crash would leave a row. */
  private void sql(String statement, Object... parameters) {
    try (java.sql.Connection connection = dataSource.getConnection();
        java.sql.PreparedStatement update = connection.prepareStatement(statement)) {
      for (int i = 0; i < parameters.length; i++) {
        update.setObject(i + 1, parameters[i]);
      }
      update.executeUpdate();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private JobRow job(JobId job) {
    return QuarkusTransaction.requiringNew().call(() -> store.find(job)).orElseThrow();
  }

  private String statusOf(JobId job) {
    return QuarkusTransaction.requiringNew()
        .call(() -> store.find(job))
        .map(JobRow::status)
        .orElse("none");
  }

  private double transientRetries(String operation) {
    return counted("backfill_fetcher_transient_retries_total", "operation", operation);
  }

  private double commandsIgnored(String reason) {
    return counted("backfill_fetcher_commands_ignored_total", "reason", reason);
  }

  private double retries(String reason) {
    return counted("backfill_fetcher_graph_retries_total", "reason", reason);
  }

  private double attempts(String outcome) {
    return counted("backfill_fetcher_attempts_total", "outcome", outcome);
  }

  /** The sum of a counter over every series with the tag's value. */
  private double counted(String name, String tag, String value) {
    return metrics.find(name).tag(tag, value).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** The simulator's count of message-list calls on this test's mailbox, by status. */
  private Map<String, Integer> graphCalls() {
    List<Map<String, Object>> counters =
        given()
            .baseUri(GraphSimulator.baseUrl())
            .get("/admin/counters")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("$");
    return counters.stream()
        .filter(c -> "messages".equals(c.get("endpoint")) && mailbox.equals(c.get("target")))
        .collect(
            Collectors.toMap(
                c -> String.valueOf(c.get("status")),
                c -> ((Number) c.get("count")).intValue(),
                Integer::sum));
  }
}
