package io.backfill.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.topic.Topics;
import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import io.backfill.systemtests.GatewayApi.Answer;
import io.backfill.systemtests.ScenarioRunner.Outcome;
import io.backfill.systemtests.ScenarioRunner.Tenant;
import io.backfill.systemtests.ScenarioRunner.Window;
import io.backfill.systemtests.StoredFacts.Attempt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fault matrix's lifecycle seams, on the run's one stack ({@link SystemStack}): a process of
 * each kind killed or frozen at the worst moment, the database restarted, a job paused, resumed and
 * cancelled while its chunks queue on Kafka. Each scenario is small (≤ 500 messages) and ends with
 * the checks every scenario ends with ({@link ScenarioRunner}): documents == messages (or what was
 * extracted before a stop), no duplicate documents or mentions, no live attempt timed out, every
 * failure visible in status, the job terminal within a bound.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(2)
@ExtendWith(SystemStack.class)
class FaultMatrixIT {

  // The stack's staleAfter for both lanes: max(stale floor 10 s, 3 x heartbeat 2 s).
  private static final Duration STALE_AFTER = Duration.ofSeconds(10);
  private static final Duration TERMINAL_BOUND = Duration.ofMinutes(4);
  private static final List<String> LLM_MODELS =
      List.of("gpt-4o-mini", "gpt-4.1-mini", "o3-mini", "o4-mini");
  // Every page of the fetcher holds 100 messages, so every chunk does (but a window's last).
  private static final int CHUNK = 100;

  private static ScenarioRunner scenarios;
  private static LocalStack stack;
  private static SimulatorAdmin simulator;
  private static StoredFacts facts;
  private static GatewayApi gateway;
  private static String mailbox;

  @BeforeAll
  static void startStack() {
    scenarios = ScenarioRunner.get();
    stack = scenarios.stack;
    simulator = scenarios.simulator;
    facts = scenarios.facts;
    gateway = scenarios.gateway;
    mailbox = scenarios.mailbox;
  }

  @Test
  @Order(11)
  void aMonitorKilledMidRunAndStartedAfterTwiceStaleAfterTimesOutNoLiveAttempt() {
    Rounds.each(
        round -> {
          ServiceNode monitor = stack.monitor();
          String tenant = Rounds.tenant("st-monitor-kill", round);
          int messages = 500;
          Outcome outcome;
          try {
            outcome =
                scenarios.run(
                    "a SIGKILL the monitor, restart after 2 x staleAfter",
                    tenant,
                    scenarios.newest(messages),
                    jobId -> {
                      await("two chunks started")
                          .atMost(TERMINAL_BOUND)
                          .pollInterval(Duration.ofMillis(200))
                          .until(() -> scenarios.extractRunsStarted(jobId) >= 2);
                      Instant killedAt = Instant.now();
                      monitor.kill();
                      // The monitor stays down until the workers have heartbeated for 2 x
                      // staleAfter with nobody reading (or the work is done): the restarted
                      // monitor must read those heartbeats from its topic rather than time the
                      // attempts out.
                      Instant outageEnds = killedAt.plus(STALE_AFTER.multipliedBy(2));
                      await("heartbeats published for 2 x staleAfter with no monitor")
                          .atMost(TERMINAL_BOUND)
                          .pollInterval(Duration.ofSeconds(1))
                          .until(
                              () ->
                                  heartbeatPublishedAfter(tenant, outageEnds)
                                      || facts.documents(tenant) >= messages);
                      monitor.start();
                      // No process that runs attempts died: no attempt may time out.
                      return Set.of();
                    });
          } finally {
            if (!monitor.isRunning()) {
              monitor.start();
            }
          }
          assertThat(outcome.timeouts()).as("attempts timed out").isZero();
          assertEachRunCompletedOnce(outcome.attempts());
        });
  }

  @Test
  @Order(12)
  void aPostgresRestartMidRunLeavesEveryServiceReadyWithinAMinuteAndTheJobCompletesOnce() {
    Optional<String> refusal = stack.postgres().restartRefusal();
    Assumptions.assumeTrue(
        refusal.isEmpty(),
        () -> "PostgreSQL restart not run: " + refusal.orElse("") + " (" + stack.postgres() + ")");
    Rounds.each(
        round -> {
          AtomicReference<Duration> readyAgain = new AtomicReference<>();
          String tenant = Rounds.tenant("st-postgres-restart", round);
          Outcome outcome =
              scenarios.run(
                  "b PostgreSQL restarted mid-run",
                  tenant,
                  scenarios.newest(500),
                  jobId -> {
                    await("three chunks started")
                        .atMost(TERMINAL_BOUND)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> scenarios.extractRunsStarted(jobId) >= 3);
                    long restarted = System.nanoTime();
                    stack.postgres().restart();
                    await("every service ready again after the PostgreSQL restart")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> services().stream().allMatch(ServiceNode::ready));
                    readyAgain.set(Duration.ofNanos(System.nanoTime() - restarted));
                    return Set.of();
                  });
          System.out.println("b: every service ready " + readyAgain.get() + " after the restart");
          assertThat(outcome.timeouts()).as("attempts timed out").isZero();
          assertEachRunCompletedOnce(outcome.attempts());
          assertThat(facts.reExtractedDocuments(tenant)).as("documents extracted twice").isZero();
        });
  }

  @Test
  @Order(13)
  void aFetcherKilledWithMoreJobsQueuedThanAttemptSlotsLeavesNoJobWithoutAnOwner() {
    Rounds.each(round -> fetcherKilledWithJobsQueued(round));
  }

  private void fetcherKilledWithJobsQueued(int round) {
    ServiceNode fetcher = stack.fetcher();
    String scenario = "c SIGKILL the fetcher, 12 jobs on 3 slots";
    Tenant tenant = scenarios.tenant(Rounds.tenant("st-fetcher-queue", round));
    // Twelve jobs over the newest 300 messages, 25 each, windows side by side.
    int jobs = 12;
    int each = 25;
    List<Instant> received = scenarios.received;
    int first = received.size() - jobs * each;
    List<Window> windows = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      Instant from = received.get(first + i * each);
      Instant to = i == jobs - 1 ? stack.windowTo() : received.get(first + (i + 1) * each);
      windows.add(scenarios.window(from, to));
    }
    Window all = scenarios.window(received.get(first), stack.windowTo());
    // Slow pages (3 s a Graph call): the first jobs hold every slot while the others wait.
    String slowPages =
        simulator.addFault(Map.of("target", mailbox, "kind", "latency", "latencyMs", 3_000));
    long started = System.nanoTime();
    List<String> jobIds = new ArrayList<>();
    Set<String> killed = Set.of();
    Duration toTerminal = null;
    String result = "failed";
    try {
      for (Window window : windows) {
        jobIds.add(gateway.submit(tenant.apiKey(), mailbox, window.from(), window.to()));
      }
      String executor = fetcher.executorId();
      // The fetcher took every request (each job accepted) and every slot is busy: the other
      // jobs wait for a slot, which is what a crash must not orphan.
      await("every job accepted and every slot of the fetcher busy")
          .atMost(TERMINAL_BOUND)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  jobsAccepted(jobIds) == jobs
                      && fetchAttempts(jobIds) >= SystemStack.FETCHER_SLOTS);
      long startedBeforeKill = fetchAttempts(jobIds);
      fetcher.kill();
      System.out.println(
          "c: fetcher killed with "
              + startedBeforeKill
              + " of "
              + jobs
              + " fetch attempts started, the rest queued");
      killed = Set.of(executor);
      fetcher.start();
      simulator.removeFault(slowPages);
      slowPages = null;

      await(scenario + ": every job completed")
          .atMost(TERMINAL_BOUND)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                long completed = 0;
                for (String jobId : jobIds) {
                  JsonNode status = gateway.status(tenant.apiKey(), jobId);
                  String state = status.path("status").asText();
                  assertThat(state)
                      .as("job %s status: %s", jobId, status)
                      .isNotIn("failed", "rejected", "cancelled");
                  completed += state.equals("completed") ? 1 : 0;
                }
                return completed == jobs;
              });
      toTerminal = Duration.ofNanos(System.nanoTime() - started);

      for (int i = 0; i < jobs; i++) {
        String jobId = jobIds.get(i);
        JsonNode status = gateway.status(tenant.apiKey(), jobId);
        assertThat(status.path("progress").path("messagesFetched").asLong())
            .as("messagesFetched of job %s (window %s): %s", jobId, windows.get(i), status)
            .isEqualTo(windows.get(i).messages());
        List<Attempt> attempts = facts.attempts(jobId);
        scenarios.assertFailuresVisible(tenant, jobId, attempts);
        assertThat(ScenarioRunner.timedOutExecutors(attempts))
            .as("executors whose attempts timed out (only the killed fetcher may): %s", attempts)
            .isSubsetOf(killed);
        assertEachRunCompletedOnce(attempts);
      }
      assertThat(facts.documents(tenant.id()))
          .as("documents == messages of the 12 windows")
          .isEqualTo(all.messages());
      assertThat(facts.duplicateMentions(tenant.id())).as("duplicate mentions").isZero();
      assertThat(facts.reExtractedDocuments(tenant.id())).as("documents extracted twice").isZero();
      if (scenarios.hasReference()) {
        assertThat(facts.mentions(tenant.id(), all.from(), all.to()))
            .as("mentions, as many as the undisturbed run made from the same mail")
            .isEqualTo(facts.mentions(ScenarioRunner.REFERENCE_TENANT, all.from(), all.to()));
      }
      result = "passed";
    } finally {
      if (slowPages != null) {
        simulator.removeFault(slowPages);
      }
      if (!fetcher.isRunning()) {
        fetcher.start();
      }
      scenarios.record(
          scenario, tenant.id(), jobIds, all.messages(), killed, started, toTerminal, result);
    }
  }

  @Test
  @Order(14)
  void aGatewayKilledBetweenClaimAndPublishPublishesTheRequestOnceAfterItsRestart() {
    Rounds.each(round -> gatewayKilledBetweenClaimAndPublish(round));
  }

  private void gatewayKilledBetweenClaimAndPublish(int round) {
    ServiceNode node = stack.gateway();
    Tenant tenant = scenarios.tenant(Rounds.tenant("st-gateway-outbox", round));
    Window window = scenarios.newest(200);
    String key = UUID.randomUUID().toString();
    long started = System.nanoTime();
    boolean relayOff = false;
    try {
      // A gateway whose relay does not run: the claim and the request commit, nothing publishes.
      // (An environment variable, not a property: a build without the setting still starts.)
      node.kill();
      relayOff = true;
      node.startWith(Map.of(), Map.of("BACKFILL_GATEWAY_OUTBOX_RELAY_ENABLED", "false"));
      Answer accepted = gateway.submit(tenant.apiKey(), key, mailbox, window.from(), window.to());
      assertThat(accepted.status()).as("first submission: %s", accepted.body()).isEqualTo(202);
      String jobId = accepted.json().path("jobId").asText();
      assertThat(requestsPublished(key))
          .as("requests published for %s while the relay is off", key)
          .isZero();

      node.kill();
      node.start();
      relayOff = false;
      double replayedBefore = node.metric("backfill_gateway_requests_total", "replayed");
      Answer retried = gateway.submit(tenant.apiKey(), key, mailbox, window.from(), window.to());
      assertThat(retried.status()).as("retried submission: %s", retried.body()).isEqualTo(202);
      assertThat(retried.json().path("jobId").asText()).isEqualTo(jobId);
      assertThat(node.metric("backfill_gateway_requests_total", "replayed"))
          .as("submissions answered as replayed")
          .isGreaterThan(replayedBefore);

      scenarios.follow(
          "d SIGKILL the gateway between claim and publish",
          tenant,
          jobId,
          window,
          true,
          started,
          j -> Set.of());
      assertThat(requestsPublished(key)).as("requests published for %s", key).isEqualTo(1);
    } finally {
      // The scenarios after this one need the gateway as the stack configures it: relay on.
      if (relayOff) {
        node.kill();
      }
      if (!node.isRunning()) {
        node.start();
      }
    }
  }

  @Test
  @Order(15)
  void aPausedJobStopsGrowingWithChunksQueuedAndCompletesOnceResumed() {
    Rounds.each(
        round -> {
          String scenario = "e1 pause then resume, chunks queued";
          Tenant tenant = scenarios.tenant(Rounds.tenant("st-pause-resume", round));
          Window window = scenarios.newest(500);
          long started = System.nanoTime();
          Duration toTerminal = null;
          String result = "failed";
          String jobId = null;
          List<String> slowLlm = slowLlm(1_000);
          try {
            jobId = gateway.submit(tenant.apiKey(), mailbox, window.from(), window.to());
            String job = jobId;
            awaitChunksQueued(tenant, job);
            assertThat(gateway.command(tenant.apiKey(), job, "pause").status()).isEqualTo(202);
            long stopped = awaitStopped(tenant, job, "paused", window);

            slowLlm.forEach(simulator::removeFault);
            slowLlm.clear();
            Answer resumed = gateway.command(tenant.apiKey(), job, "resume");
            assertThat(resumed.status()).as("resume: %s", resumed.body()).isEqualTo(202);
            scenarios.awaitCompleted(scenario, tenant, job);
            toTerminal = Duration.ofNanos(System.nanoTime() - started);
            Outcome outcome =
                scenarios.check(tenant, job, window.messages(), true, window, Set.of(), toTerminal);
            assertThat(outcome.timeouts()).isZero();
            assertThat(facts.reExtractedDocuments(tenant.id()))
                .as("documents extracted twice (%d were extracted before the pause)", stopped)
                .isZero();
            result = "passed";
          } finally {
            slowLlm.forEach(simulator::removeFault);
            scenarios.record(
                scenario,
                tenant.id(),
                jobId == null ? List.of() : List.of(jobId),
                window.messages(),
                Set.of(),
                started,
                toTerminal,
                result);
          }
        });
  }

  @Test
  @Order(16)
  void aCancelledJobStopsGrowingWithChunksQueuedAndStaysCancelled() {
    Rounds.each(
        round -> {
          String scenario = "e2 cancel, chunks queued";
          Tenant tenant = scenarios.tenant(Rounds.tenant("st-cancel", round));
          Window window = scenarios.newest(500);
          long started = System.nanoTime();
          Duration toTerminal = null;
          long stopped = window.messages();
          String result = "failed";
          String jobId = null;
          List<String> slowLlm = slowLlm(1_000);
          try {
            jobId = gateway.submit(tenant.apiKey(), mailbox, window.from(), window.to());
            String job = jobId;
            awaitChunksQueued(tenant, job);
            assertThat(gateway.command(tenant.apiKey(), job, "cancel").status()).isEqualTo(202);
            stopped = awaitStopped(tenant, job, "cancelled", window);
            toTerminal = Duration.ofNanos(System.nanoTime() - started);
            slowLlm.forEach(simulator::removeFault);
            slowLlm.clear();
            // Cancelled is for good: nothing re-drives the job, however long it is left alone
            // (the monitor's orphan grace is 2 x staleAfter).
            await("job " + job + " stays cancelled and stops growing")
                .during(STALE_AFTER.multipliedBy(3))
                .atMost(STALE_AFTER.multipliedBy(4))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                    () ->
                        gateway
                            .status(tenant.apiKey(), job)
                            .path("status")
                            .asText()
                            .equals("cancelled"));
            assertThat(facts.documents(tenant.id())).isEqualTo(stopped);
            assertThat(facts.duplicateMentions(tenant.id())).as("duplicate mentions").isZero();
            List<Attempt> attempts = facts.attempts(job);
            scenarios.assertFailuresVisible(tenant, job, attempts);
            assertThat(attempts).noneMatch(a -> a.state().equals("timed_out"));
            result = "passed";
          } finally {
            slowLlm.forEach(simulator::removeFault);
            scenarios.record(
                scenario,
                tenant.id(),
                jobId == null ? List.of() : List.of(jobId),
                stopped,
                Set.of(),
                started,
                toTerminal,
                result);
          }
        });
  }

  @Test
  @Order(17)
  void aWorkerFrozenPastStaleAfterAndThawedAfterItsRetryCompletedHasItsLateWriteFenced() {
    Rounds.each(round -> workerFrozen(round));
  }

  private void workerFrozen(int round) {
    String tenant = Rounds.tenant("st-worker-frozen", round);
    Map<String, Double> fencedBefore = new java.util.HashMap<>();
    for (ServiceNode worker : stack.workers()) {
      fencedBefore.put(worker.name(), lateAttemptsFenced(worker));
    }
    AtomicReference<ServiceNode> frozen = new AtomicReference<>();
    // Chunks of some seconds, so the victim is frozen mid-chunk.
    List<String> slowLlm = slowLlm(300);
    AtomicReference<String> frozenRun = new AtomicReference<>();
    Outcome outcome;
    try {
      outcome =
          scenarios.run(
              "f worker SIGSTOPped past staleAfter, SIGCONTed",
              tenant,
              // Five chunks: some still wait while the victim holds one.
              scenarios.newest(500),
              jobId -> {
                await("a running extract attempt")
                    .atMost(TERMINAL_BOUND)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> scenarios.workerRunning(jobId).isPresent());
                ServiceNode victim = scenarios.workerRunning(jobId).orElseThrow();
                String executor = victim.executorId();
                frozenRun.set(runningRun(jobId, executor).orElseThrow());
                victim.freeze();
                frozen.set(victim);
                await("the frozen attempt's chunk completed by a newer attempt elsewhere")
                    .atMost(TERMINAL_BOUND)
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                        () ->
                            facts.attempts(jobId).stream()
                                .anyMatch(
                                    a ->
                                        a.runId().equals(frozenRun.get())
                                            && a.state().equals("completed")
                                            && !a.workerId().equals(executor)));
                slowLlm.forEach(simulator::removeFault);
                slowLlm.clear();
                victim.thaw();
                return Set.of(executor);
              });
    } finally {
      slowLlm.forEach(simulator::removeFault);
      for (ServiceNode worker : stack.workers()) {
        if (worker.frozen()) {
          worker.thaw();
        }
      }
    }
    // The thawed attempt is fenced one of two ways, whichever comes first: it notices that no
    // heartbeat got through for longer than staleAfter (or reads its RunTimedOut) and stops
    // before writing, or it reaches its write, which its run's newer lease refuses. Either way
    // nothing of it lands (the checks below); the lease alone is proved in extraction-worker.
    ServiceNode victim = frozen.get();
    await("the thawed worker's late attempt fenced")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> lateAttemptsFenced(victim) > fencedBefore.get(victim.name()));
    assertThat(outcome.attempts())
        .filteredOn(a -> a.runId().equals(frozenRun.get()) && a.state().equals("completed"))
        .as("completed attempts of the frozen chunk's run")
        .hasSize(1);
    assertThat(facts.reExtractedDocuments(tenant)).as("documents extracted twice").isZero();
    assertThat(facts.duplicateMentions(tenant)).as("duplicate mentions").isZero();
  }

  /**
   * Attempts of a worker that ended fenced: a write refused by a newer lease, or an attempt that
   * stopped itself (self-fenced, or timed out by the ledger) before writing.
   */
  private static double lateAttemptsFenced(ServiceNode worker) {
    double ended = worker.metric("backfill_worker_writes_fenced_total");
    for (String outcome : List.of("self_fenced", "timed_out")) {
      ended += worker.metric("backfill_worker_attempts_total", "outcome=\"" + outcome + "\"");
    }
    return ended;
  }

  // ---------------------------------------------------------------------------------------------

  /** The services that run now: a node an earlier scenario stopped for good is not waited for. */
  private static List<ServiceNode> services() {
    return stack.processes().stream()
        .filter(p -> !p.name().equals(LocalStack.SIMULATOR))
        .filter(ServiceNode::isRunning)
        .toList();
  }

  /**
   * True once a heartbeat of the tenant's attempts was published on run.events after {@code at}.
   */
  private static boolean heartbeatPublishedAfter(String tenant, Instant at) {
    return TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.RUN_EVENTS).stream()
        .filter(r -> r.value() != null && r.timestamp() > at.toEpochMilli())
        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .anyMatch(v -> v.contains("\"RunHeartbeat\"") && v.contains("\"" + tenant + "\""));
  }

  /** Latency on every LLM model; returns the fault ids to remove. */
  private static List<String> slowLlm(int latencyMs) {
    List<String> faults = new ArrayList<>();
    for (String model : LLM_MODELS) {
      faults.add(
          simulator.addFault(Map.of("target", model, "kind", "latency", "latencyMs", latencyMs)));
    }
    return faults;
  }

  /**
   * Waits until the job's fetch is done and extraction is under way with nothing written yet: five
   * chunks for two workers, so chunks wait on Kafka (or in a worker) while others extract. Fails at
   * once when the job ends first: the command would come too late to test anything.
   */
  private static void awaitChunksQueued(Tenant tenant, String jobId) {
    await("job " + jobId + " fetched, a chunk extracting, nothing written yet")
        .atMost(TERMINAL_BOUND)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              String state = gateway.status(tenant.apiKey(), jobId).path("status").asText();
              assertThat(state).as("job %s before its command", jobId).isNotEqualTo("completed");
              List<Attempt> attempts = facts.attempts(jobId);
              boolean fetched =
                  attempts.stream()
                      .anyMatch(a -> a.lane().equals("fetch") && a.state().equals("completed"));
              boolean extracting =
                  attempts.stream()
                      .anyMatch(a -> a.lane().equals("extract") && a.state().equals("running"));
              return fetched && extracting && facts.documents(tenant.id()) < CHUNK * 3;
            });
  }

  /**
   * Waits until the job shows {@code state}, nothing of it runs any more and its documents stop
   * growing; checks what a stop leaves (whole chunks only, fewer than the window, the count in
   * status) and returns the documents extracted before the stop.
   */
  private static long awaitStopped(Tenant tenant, String jobId, String state, Window window) {
    await("job " + jobId + " " + state)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> gateway.status(tenant.apiKey(), jobId).path("status").asText().equals(state));
    // An in-flight chunk stops at its next message boundary: within one LLM call.
    await("no attempt of job " + jobId + " running after it was " + state)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> facts.attempts(jobId).stream().noneMatch(a -> a.state().equals("running")));
    long stopped = facts.documents(tenant.id());
    await("job " + jobId + " stops growing once " + state)
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> facts.documents(tenant.id()) == stopped);
    assertThat(stopped).as("documents when %s", state).isLessThan(window.messages());
    assertThat(stopped % CHUNK).as("a stopped chunk writes nothing: whole chunks only").isZero();
    JsonNode status = gateway.status(tenant.apiKey(), jobId);
    assertThat(status.path("status").asText()).isEqualTo(state);
    assertThat(status.path("progress").path("messagesExtracted").asLong())
        .as("status says how much was extracted before the stop: %s", status)
        .isEqualTo(stopped);
    return stopped;
  }

  /** Jobs of the list the fetcher accepted (JobAccepted on job.events). */
  private static long jobsAccepted(List<String> jobIds) {
    return TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.JOB_EVENTS).stream()
        .filter(r -> r.value() != null)
        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .filter(v -> v.contains("\"JobAccepted\""))
        .flatMap(v -> jobIds.stream().filter(v::contains))
        .distinct()
        .count();
  }

  private static long fetchAttempts(List<String> jobIds) {
    long attempts = 0;
    for (String jobId : jobIds) {
      attempts += facts.attempts(jobId).stream().filter(a -> a.lane().equals("fetch")).count();
    }
    return attempts;
  }

  private static Optional<String> runningRun(String jobId, String executor) {
    return facts.attempts(jobId).stream()
        .filter(
            a ->
                a.lane().equals("extract")
                    && a.state().equals("running")
                    && a.workerId().equals(executor))
        .map(Attempt::runId)
        .findFirst();
  }

  /** Each run of the job completed exactly once: no chunk extracted (or page fetched) twice. */
  private static void assertEachRunCompletedOnce(List<Attempt> attempts) {
    Set<String> runs = new HashSet<>();
    attempts.forEach(a -> runs.add(a.runId()));
    for (String run : runs) {
      assertThat(attempts)
          .filteredOn(a -> a.runId().equals(run) && a.state().equals("completed"))
          .as("completed attempts of run %s: %s", run, attempts)
          .hasSize(1);
    }
  }

  /** Requests for the idempotency key on backfill.requests: what the gateway published. */
  private static long requestsPublished(String idempotencyKey) {
    return TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.BACKFILL_REQUESTS).stream()
        .filter(
            r ->
                r.value() != null
                    && new String(r.value(), StandardCharsets.UTF_8).contains(idempotencyKey))
        .count();
  }
}
