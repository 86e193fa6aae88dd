package io.backfill.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import io.backfill.systemtests.StoredFacts.Attempt;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Backfill end to end: every service as its own process (started by the same {@link LocalStack} the
 * cli uses), a real Kafka broker, PostgreSQL and the outlook-simulator. One stack serves every
 * scenario of every class ({@link SystemStack}; each has its own tenant, so its data is counted
 * apart); a scenario that kills a process starts it again before it ends.
 *
 * <p>Each scenario ends with the same checks: the job completed; documents == messages in the
 * window; no duplicate mentions, and as many mentions and relationships from the window's mail as
 * the undisturbed run made from it; every failed or timed-out attempt of the ledger visible in the
 * status API; no attempt timed out whose process was alive.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SystemStack.class)
class PipelineScenariosIT {

  private static final int MESSAGES = SystemStack.MESSAGES;
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);
  private static final String REFERENCE_TENANT = "st-happy";
  // The stack's staleAfter for extract attempts: max(stale floor 10 s, 3 x heartbeat 2 s).
  private static final Duration STALE_AFTER = Duration.ofSeconds(10);
  private static final List<String> LLM_MODELS =
      List.of("gpt-4o-mini", "gpt-4.1-mini", "o3-mini", "o4-mini");
  private static final ScenarioTable TABLE = new ScenarioTable();
  // What a disturbance returns when it took the broker itself away: any executor's attempts may
  // have been fenced and timed out then, so the check of timed-out executors does not apply.
  private static final Set<String> ALL_EXECUTORS = Set.of("<any: the broker was away>");

  private static LocalStack stack;
  private static GatewayApi gateway;
  private static SimulatorAdmin simulator;
  private static StoredFacts facts;
  private static String mailbox;
  private static List<Instant> received;
  private static boolean referenceDone;

  /** A backfill window and how many of the mailbox's messages it holds (the ground truth). */
  record Window(Instant from, Instant to, long messages) {}

  @BeforeAll
  static void startStack() {
    stack = SystemStack.get();
    gateway = new GatewayApi(stack.gateway().baseUrl());
    simulator = new SimulatorAdmin(stack.simulator().baseUrl());
    facts = new StoredFacts(stack);
    mailbox = stack.config().mailbox();
    received = simulator.receivedTimes(mailbox);
  }

  @AfterAll
  static void printTable() {
    TABLE.print(Path.of("target/system-scenarios.txt").toAbsolutePath());
  }

  @Test
  @Order(1)
  void happyPathExtractsEveryMessageOnceWithTwoWorkers() {
    assertThat(stack.buildShas()).allSatisfy((name, sha) -> assertThat(sha).isNotBlank());
    Window all = new Window(stack.windowFrom(), stack.windowTo(), received.size());
    assertThat(all.messages()).isEqualTo(MESSAGES);

    Outcome outcome = run("1 happy path, 2 workers", REFERENCE_TENANT, all, jobId -> Set.of());

    assertThat(outcome.timeouts()).isZero();
    assertThat(facts.mentions(REFERENCE_TENANT)).isPositive();
    referenceDone = true;
  }

  @Test
  @Order(2)
  void aWorkerKilledMidChunkIsTimedOutAndItsChunkRetriedElsewhere() {
    ServiceNode victim = stack.worker(1);
    Outcome outcome;
    try {
      outcome =
          run(
              "2 SIGKILL a worker mid-chunk",
              "st-worker-kill",
              newest(1_000),
              jobId -> {
                String executor = victim.executorId();
                await("a running attempt on " + executor)
                    .atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> running(jobId, executor));
                victim.kill();
                return Set.of(executor);
              });
    } finally {
      victim.start();
    }
    // The killed attempt ends one of two ways, both correct: the ledger times it out and a retry
    // runs the chunk again, or Kafka hands the chunk to the other worker first (the killed one's
    // consumer session expired) and the new attempt supersedes the dead one. Only it ends so.
    List<Attempt> killedAttempts =
        outcome.attempts().stream().filter(a -> outcome.killed().contains(a.workerId())).toList();
    long superseded = killedAttempts.stream().filter(a -> a.state().equals("superseded")).count();
    assertThat(killedAttempts).isNotEmpty().noneMatch(a -> a.state().equals("running"));
    assertThat(outcome.timedOutExecutors()).isSubsetOf(outcome.killed());
    assertThat(outcome.timeouts() + superseded).isPositive();
    assertThat(outcome.retries()).isGreaterThanOrEqualTo(outcome.timeouts());
  }

  @Test
  @Order(3)
  void aFetcherKilledMidJobResumesAfterItStartsAgain() {
    ServiceNode fetcher = stack.fetcher();
    // Slow pages, so the fetch run is still paging when it is killed.
    String slowPages =
        simulator.addFault(Map.of("target", mailbox, "kind", "latency", "latencyMs", 800));
    Outcome outcome;
    try {
      outcome =
          run(
              "3 SIGKILL the fetcher mid-job, restart",
              "st-fetcher-kill",
              newest(1_000),
              jobId -> {
                String executor = fetcher.executorId();
                await("three chunks published and started")
                    .atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> extractRunsStarted(jobId) >= 3);
                fetcher.kill();
                fetcher.start();
                return Set.of(executor);
              });
    } finally {
      simulator.removeFault(slowPages);
      if (!fetcher.isRunning()) {
        fetcher.start();
      }
    }
    assertThat(outcome.timedOutExecutors()).containsOnly(outcome.killed().toArray(String[]::new));
    assertThat(outcome.timeouts()).isPositive();
    assertThat(
            outcome.attempts().stream()
                .filter(a -> a.lane().equals("fetch") && a.state().equals("completed")))
        .as("the fetch run completed by the restarted fetcher")
        .singleElement()
        .satisfies(a -> assertThat(a.workerId()).isEqualTo(fetcher.executorId()));
  }

  @Test
  @Order(7)
  @Tag("extended")
  void twoMonitorsTimeOutAndRetryAKilledWorkersAttemptsOnceEach() {
    ServiceNode second = stack.startAnotherMonitor();
    ServiceNode victim = stack.worker(2);
    Outcome outcome;
    try {
      outcome =
          run(
              "7 two monitors, a worker SIGKILLed",
              "st-two-monitors",
              newest(600),
              jobId -> {
                String executor = victim.executorId();
                await("a running attempt on " + executor)
                    .atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> running(jobId, executor));
                victim.kill();
                return Set.of(executor);
              });
    } finally {
      victim.start();
      second.stop();
    }
    assertThat(outcome.timedOutExecutors()).containsOnly(outcome.killed().toArray(String[]::new));
    assertThat(outcome.timeouts()).isPositive();
    // Two reapers on one ledger: each timed-out attempt is retried once, never twice.
    assertThat(facts.attemptsRetriedTwice(outcome.jobId())).isZero();
    assertThat(outcome.retries()).isGreaterThanOrEqualTo(outcome.timeouts());
  }

  @Test
  @Order(8)
  void aChunkSlowerThanFiveTimesStaleAfterIsNotTimedOutWhileItHeartbeats() {
    Assumptions.assumeTrue(
        simulator.llmCalls() > 0,
        "this extraction-worker build made no LLM call in the scenarios before: a slow LLM"
            + " cannot slow its chunks");
    List<String> slowLlm = new ArrayList<>();
    for (String model : LLM_MODELS) {
      slowLlm.add(
          simulator.addFault(Map.of("target", model, "kind", "latency", "latencyMs", 12_000)));
    }
    Outcome outcome;
    try {
      // One chunk of 60 messages; LLM calls of 12 s each make it last minutes, not seconds.
      outcome = run("8 chunk > 5 x staleAfter, slow LLM", "st-slow-llm", newest(60), j -> Set.of());
    } finally {
      slowLlm.forEach(simulator::removeFault);
    }
    assertThat(outcome.timeouts()).isZero();
    assertThat(outcome.retries()).isZero();
    assertThat(outcome.attempts())
        .filteredOn(a -> a.lane().equals("extract"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.state()).isEqualTo("completed");
              assertThat(a.duration()).isGreaterThan(STALE_AFTER.multipliedBy(5));
            });
  }

  @Test
  @Order(4)
  @Tag("extended")
  void aGraphStormOf504sAnd429sWithRetryAfterIsRiddenOut() {
    List<String> storm =
        List.of(
            simulator.addFault(
                Map.of("target", mailbox, "kind", "gateway-timeout", "probability", 0.3)),
            simulator.addFault(
                Map.of(
                    "target",
                    mailbox,
                    "kind",
                    "throttle",
                    "probability",
                    0.2,
                    "retryAfterSeconds",
                    1)));
    long before504 = simulator.graphAnswers(mailbox, "504");
    long before429 = simulator.graphAnswers(mailbox, "429");
    Outcome outcome;
    try {
      outcome =
          run("4 Graph 504 storm, 429 + Retry-After", "st-graph-storm", newest(500), j -> Set.of());
    } finally {
      storm.forEach(simulator::removeFault);
    }
    assertThat(simulator.graphAnswers(mailbox, "504")).isGreaterThan(before504);
    assertThat(simulator.graphAnswers(mailbox, "429")).isGreaterThan(before429);
    assertThat(outcome.timeouts()).isZero();
  }

  @Test
  @Order(5)
  @Tag("extended")
  void mixedLlmFaultsAreRecordedAsOutcomesAndEveryMessageIsStillExtracted() {
    Assumptions.assumeTrue(
        simulator.llmCalls() > 0,
        "this extraction-worker build made no LLM call in the scenarios before");
    List<String> faults = new ArrayList<>();
    for (String kind : List.of("empty-content", "null-content", "fenced-json", "truncated-json")) {
      for (String model : LLM_MODELS) {
        faults.add(simulator.addFault(Map.of("target", model, "kind", kind, "probability", 0.15)));
      }
    }
    // One hung call: only the worker's LLM call timeout ends it.
    for (String model : LLM_MODELS) {
      faults.add(simulator.addFault(Map.of("target", model, "kind", "hang", "times", 1)));
    }
    long llmCallsBefore = simulator.llmCalls();
    Outcome outcome;
    try {
      // LLM answers differ by design here, so the data is not compared with the reference run.
      outcome =
          run(
              "5 mixed LLM faults (empty, null, fenced, hang)",
              "st-llm-faults",
              newest(300),
              false,
              j -> Set.of());
    } finally {
      faults.forEach(simulator::removeFault);
    }
    assertThat(simulator.llmCalls()).isGreaterThan(llmCallsBefore);
    assertThat(outcome.timeouts()).isZero();
  }

  @Test
  @Order(6)
  @Tag("extended")
  void aBrokerKilledMidRunComesBackAndTheJobCompletesWithExactlyTheSameData() {
    // While the broker is away no heartbeat can be delivered, so attempts running then may be
    // fenced and timed out; what must hold is that the job completes with exact data.
    Outcome outcome =
        run(
            "6 broker SIGKILLed mid-run, restarted",
            "st-broker-restart",
            newest(1_000),
            jobId -> {
              await("three chunks started")
                  .atMost(JOB_TIMEOUT)
                  .pollInterval(Duration.ofMillis(200))
                  .until(() -> extractRunsStarted(jobId) >= 3);
              stack.kafka().kill();
              stack.kafka().start();
              return ALL_EXECUTORS;
            });
    assertThat(outcome.jobId()).isNotBlank();
  }

  /** A disturbance: runs while the job runs, returns the executor ids of processes it killed. */
  @FunctionalInterface
  interface Disturbance {
    Set<String> apply(String jobId);
  }

  /** The newest {@code n} messages of the mailbox. */
  private static Window newest(int n) {
    Instant from = received.get(received.size() - n);
    Instant to = stack.windowTo();
    long messages = received.stream().filter(t -> !t.isBefore(from) && t.isBefore(to)).count();
    return new Window(from, to, messages);
  }

  private Outcome run(String scenario, String tenant, Window window, Disturbance disturbance) {
    return run(scenario, tenant, window, true, disturbance);
  }

  private Outcome run(
      String scenario,
      String tenant,
      Window window,
      boolean sameDataAsReference,
      Disturbance disturbance) {
    String apiKey = gateway.createTenant(stack.config().adminToken(), tenant);
    gateway.putSecret(apiKey, "openai_api_key", stack.config().llmApiKey());
    gateway.putSecret(apiKey, "openai_base_url", stack.llmBaseUrl());
    long started = System.nanoTime();
    String jobId = gateway.submit(apiKey, mailbox, window.from(), window.to());
    String result = "failed";
    try {
      Set<String> killed = disturbance.apply(jobId);
      AtomicReference<JsonNode> last = new AtomicReference<>();
      await(scenario + ": job " + jobId + " completed")
          .atMost(JOB_TIMEOUT)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                JsonNode status = gateway.status(apiKey, jobId);
                last.set(status);
                String state = status.path("status").asText();
                assertThat(state)
                    .as("job %s status: %s", jobId, status)
                    .isNotIn("failed", "rejected", "cancelled");
                return state.equals("completed");
              });
      Duration duration = Duration.ofNanos(System.nanoTime() - started);

      List<Attempt> attempts = facts.attempts(jobId);
      assertThat(facts.documents(tenant))
          .as("documents == messages in the window")
          .isEqualTo(window.messages());
      assertThat(facts.duplicateMentions(tenant)).as("duplicate mentions").isZero();
      if (referenceDone && sameDataAsReference) {
        assertThat(facts.mentions(tenant, window.from(), window.to()))
            .as("mentions, as many as the undisturbed run made from the same mail")
            .isEqualTo(facts.mentions(REFERENCE_TENANT, window.from(), window.to()));
        assertThat(facts.relationships(tenant, window.from(), window.to()))
            .as("relationships, as many as the undisturbed run made from the same mail")
            .isEqualTo(facts.relationships(REFERENCE_TENANT, window.from(), window.to()));
      }
      String status = gateway.status(apiKey, jobId).toString();
      for (Attempt attempt : attempts) {
        if (attempt.state().equals("failed") || attempt.state().equals("timed_out")) {
          assertThat(status)
              .as("%s attempt %s of %s in the status API", attempt.state(), attempt, jobId)
              .contains(attempt.attemptId());
        }
      }
      Set<String> timedOutExecutors = new HashSet<>();
      attempts.stream()
          .filter(a -> a.state().equals("timed_out"))
          .forEach(a -> timedOutExecutors.add(a.workerId()));
      if (killed != ALL_EXECUTORS) {
        assertThat(timedOutExecutors)
            .as("executors whose attempts timed out (only killed ones may): %s", attempts)
            .isSubsetOf(killed);
      }
      result = "passed";
      return new Outcome(
          jobId,
          killed,
          timedOutExecutors,
          attempts,
          attempts.stream().filter(a -> a.state().equals("timed_out")).count(),
          facts.retries(jobId),
          duration);
    } finally {
      List<Attempt> attempts = facts.attempts(jobId);
      TABLE.add(
          new ScenarioTable.Row(
              scenario,
              Duration.ofNanos(System.nanoTime() - started),
              window.messages(),
              facts.documents(tenant),
              attempts.size(),
              facts.retries(jobId),
              attempts.stream().filter(a -> a.state().equals("timed_out")).count(),
              facts.reExtractedDocuments(tenant),
              result));
    }
  }

  private static boolean running(String jobId, String executor) {
    return facts.attempts(jobId).stream()
        .anyMatch(
            a ->
                a.lane().equals("extract")
                    && a.state().equals("running")
                    && a.workerId().equals(executor));
  }

  // A chunk's extract run exists once its page was published and a worker started it.
  private static long extractRunsStarted(String jobId) {
    return facts.attempts(jobId).stream().filter(a -> a.lane().equals("extract")).count();
  }

  record Outcome(
      String jobId,
      Set<String> killed,
      Set<String> timedOutExecutors,
      List<Attempt> attempts,
      long timeouts,
      long retries,
      Duration duration) {}
}
