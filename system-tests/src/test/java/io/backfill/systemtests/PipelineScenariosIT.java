package io.backfill.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import io.backfill.systemtests.ScenarioRunner.Disturbance;
import io.backfill.systemtests.ScenarioRunner.Outcome;
import io.backfill.systemtests.ScenarioRunner.Window;
import io.backfill.systemtests.StoredFacts.Attempt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
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
@Order(1)
@ExtendWith(SystemStack.class)
class PipelineScenariosIT {

  private static final int MESSAGES = SystemStack.MESSAGES;
  private static final Duration JOB_TIMEOUT = ScenarioRunner.JOB_TIMEOUT;
  private static final String REFERENCE_TENANT = ScenarioRunner.REFERENCE_TENANT;
  // The stack's staleAfter for extract attempts: max(stale floor 10 s, 3 x heartbeat 2 s).
  private static final Duration STALE_AFTER = Duration.ofSeconds(10);
  private static final List<String> LLM_MODELS =
      List.of("gpt-4o-mini", "gpt-4.1-mini", "o3-mini", "o4-mini");
  private static final Set<String> ALL_EXECUTORS = ScenarioRunner.ALL_EXECUTORS;
  // The undisturbed run's window: the newest 500 messages, the largest any scenario compares.
  private static final int REFERENCE_MESSAGES = 500;

  private static ScenarioRunner scenarios;
  private static LocalStack stack;
  private static SimulatorAdmin simulator;
  private static StoredFacts facts;
  private static String mailbox;
  private static List<Instant> received;

  @BeforeAll
  static void startStack() {
    scenarios = ScenarioRunner.get();
    stack = scenarios.stack;
    simulator = scenarios.simulator;
    facts = scenarios.facts;
    mailbox = scenarios.mailbox;
    received = scenarios.received;
  }

  @Test
  @Order(1)
  void happyPathExtractsEveryMessageOnceWithTwoWorkers() {
    assertThat(stack.buildShas()).allSatisfy((name, sha) -> assertThat(sha).isNotBlank());
    assertThat(received).hasSize(MESSAGES);
    // The reference for every other scenario's mentions: it holds the largest window they use.
    Window reference = newest(REFERENCE_MESSAGES);
    Rounds.each(
        round -> {
          String tenant = Rounds.tenant(REFERENCE_TENANT, round);
          Outcome outcome = run("1 happy path, 2 workers", tenant, reference, j -> Set.of());
          assertThat(outcome.timeouts()).isZero();
          assertThat(facts.mentions(tenant)).isPositive();
          scenarios.referenceDone();
        });
  }

  @Test
  @Order(2)
  void aWorkerKilledMidChunkIsTimedOutAndItsChunkRetriedElsewhere() {
    Rounds.each(round -> workerKilledMidChunk(round));
  }

  private void workerKilledMidChunk(int round) {
    String tenant = Rounds.tenant("st-worker-kill", round);
    AtomicReference<ServiceNode> victim = new AtomicReference<>();
    Outcome outcome;
    try {
      outcome =
          run(
              "2 SIGKILL a worker mid-chunk",
              tenant,
              newest(500),
              jobId -> {
                await("a running extract attempt")
                    .atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> scenarios.workerRunning(jobId).isPresent());
                victim.set(scenarios.workerRunning(jobId).orElseThrow());
                String executor = victim.get().executorId();
                victim.get().kill();
                return Set.of(executor);
              });
    } finally {
      stack.workers().forEach(ServiceNode::start);
    }
    // The killed attempt ends one of two ways, both correct: the ledger times it out and a retry
    // runs the chunk again, or Kafka hands the chunk to the other worker first (the killed one's
    // consumer session expired) and the new attempt supersedes the dead one. Exactly one of the
    // two ends each killed attempt, and its chunk is then extracted once, not by both paths.
    List<Attempt> killedAttempts =
        outcome.attempts().stream().filter(a -> outcome.killed().contains(a.workerId())).toList();
    assertThat(killedAttempts).isNotEmpty().noneMatch(a -> a.state().equals("running"));
    List<Attempt> ended =
        killedAttempts.stream()
            .filter(a -> a.state().equals("timed_out") || a.state().equals("superseded"))
            .toList();
    assertThat(ended)
        .as("killed attempts that were timed out or superseded: %s", killedAttempts)
        .isNotEmpty();
    for (Attempt dead : ended) {
      assertThat(
              outcome.attempts().stream()
                  .filter(a -> a.runId().equals(dead.runId()) && a.state().equals("completed")))
          .as("completed attempts of the killed attempt's run %s", dead.runId())
          .hasSize(1);
    }
    assertThat(outcome.timedOutExecutors()).isSubsetOf(outcome.killed());
    assertThat(outcome.retries()).isGreaterThanOrEqualTo(outcome.timeouts());
    assertThat(facts.reExtractedDocuments(tenant)).as("documents extracted twice").isZero();
  }

  @Test
  @Order(3)
  void aFetcherKilledMidJobResumesAfterItStartsAgain() {
    Rounds.each(round -> fetcherKilledMidJob(round));
  }

  private void fetcherKilledMidJob(int round) {
    ServiceNode fetcher = stack.fetcher();
    // Slow pages, so the fetch run is still paging when it is killed.
    String slowPages =
        simulator.addFault(Map.of("target", mailbox, "kind", "latency", "latencyMs", 800));
    Outcome outcome;
    try {
      outcome =
          run(
              "3 SIGKILL the fetcher mid-job, restart",
              Rounds.tenant("st-fetcher-kill", round),
              newest(500),
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
  void twoMonitorsTimeOutAndRetryAKilledWorkersAttemptsOnceEach() {
    Rounds.each(round -> twoMonitors(round));
  }

  private void twoMonitors(int round) {
    ServiceNode second = stack.startAnotherMonitor();
    Outcome outcome;
    try {
      outcome =
          run(
              "7 two monitors, a worker SIGKILLed",
              Rounds.tenant("st-two-monitors", round),
              newest(300),
              jobId -> {
                await("a running extract attempt")
                    .atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> scenarios.workerRunning(jobId).isPresent());
                ServiceNode victim = scenarios.workerRunning(jobId).orElseThrow();
                String executor = victim.executorId();
                victim.kill();
                return Set.of(executor);
              });
    } finally {
      stack.workers().forEach(ServiceNode::start);
      second.stop();
    }
    // Either path ends the killed attempt (see scenario 2): a timeout, or its chunk's redelivery.
    assertThat(outcome.timedOutExecutors()).isSubsetOf(outcome.killed());
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
    Rounds.each(round -> slowChunk(round));
  }

  private void slowChunk(int round) {
    List<String> slowLlm = new ArrayList<>();
    for (String model : LLM_MODELS) {
      slowLlm.add(
          simulator.addFault(Map.of("target", model, "kind", "latency", "latencyMs", 8_000)));
    }
    Outcome outcome;
    try {
      // One chunk of 60 messages, one LLM call each, at most 8 in flight per worker: 8 rounds of
      // 8 s calls make it last over a minute, past 5 x staleAfter (50 s).
      outcome =
          run(
              "8 chunk > 5 x staleAfter, slow LLM",
              Rounds.tenant("st-slow-llm", round),
              newest(60),
              j -> Set.of());
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
  void aGraphStormOf504sAnd429sWithRetryAfterIsRiddenOut() {
    Rounds.each(round -> graphStorm(round));
  }

  private void graphStorm(int round) {
    // The first two calls are a 504 and a 429 for certain (rules are tried in order, the first
    // that hits decides), so the scenario always sees both; the storm after them is random.
    List<String> storm =
        List.of(
            simulator.addFault(Map.of("target", mailbox, "kind", "gateway-timeout", "times", 1)),
            simulator.addFault(
                Map.of("target", mailbox, "kind", "throttle", "times", 1, "retryAfterSeconds", 1)),
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
          run(
              "4 Graph 504 storm, 429 + Retry-After",
              Rounds.tenant("st-graph-storm", round),
              newest(300),
              j -> Set.of());
    } finally {
      storm.forEach(simulator::removeFault);
    }
    assertThat(simulator.graphAnswers(mailbox, "504")).isGreaterThan(before504);
    assertThat(simulator.graphAnswers(mailbox, "429")).isGreaterThan(before429);
    assertThat(outcome.timeouts()).isZero();
  }

  @Test
  @Order(5)
  void mixedLlmFaultsAreRecordedAsOutcomesAndEveryMessageIsStillExtracted() {
    Assumptions.assumeTrue(
        simulator.llmCalls() > 0,
        "this extraction-worker build made no LLM call in the scenarios before");
    Rounds.each(round -> mixedLlmFaults(round));
  }

  private void mixedLlmFaults(int round) {
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
              Rounds.tenant("st-llm-faults", round),
              newest(200),
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
  void aBrokerKilledMidRunComesBackAndTheJobCompletesWithExactlyTheSameData() {
    Rounds.each(round -> brokerKilled(round));
  }

  private void brokerKilled(int round) {
    // While the broker is away no heartbeat can be delivered, so attempts running then may be
    // fenced and timed out; what must hold is that the job completes with exact data.
    Outcome outcome =
        run(
            "6 broker SIGKILLed mid-run, restarted",
            Rounds.tenant("st-broker-restart", round),
            newest(500),
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

  private static Window newest(int n) {
    return scenarios.newest(n);
  }

  private static Outcome run(
      String scenario, String tenant, Window window, Disturbance disturbance) {
    return scenarios.run(scenario, tenant, window, disturbance);
  }

  private static Outcome run(
      String scenario,
      String tenant,
      Window window,
      boolean sameDataAsReference,
      Disturbance disturbance) {
    return scenarios.run(scenario, tenant, window, sameDataAsReference, disturbance);
  }

  private static boolean running(String jobId, String executor) {
    return scenarios.running(jobId, executor);
  }

  private static long extractRunsStarted(String jobId) {
    return scenarios.extractRunsStarted(jobId);
  }
}
