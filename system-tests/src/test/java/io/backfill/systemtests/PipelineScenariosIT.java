package io.backfill.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import io.backfill.stack.StackConfig;
import io.backfill.systemtests.StoredFacts.Attempt;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Backfill end to end: every service as its own process (started by the same {@link LocalStack} the
 * cli uses), a real Kafka broker, PostgreSQL and the outlook-simulator. One stack serves every
 * scenario (each has its own tenant, so its data is counted apart); a scenario that kills a process
 * starts it again before it ends.
 *
 * <p>Each scenario ends with the same checks: the job completed; documents == messages in the
 * window; no duplicate mentions (and as many as the undisturbed run made); every failed or
 * timed-out attempt of the ledger visible in the status API; no attempt timed out whose process was
 * alive.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineScenariosIT {

  private static final int MESSAGES = 2_000;
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);
  private static final ScenarioTable TABLE = new ScenarioTable();

  private static LocalStack stack;
  private static GatewayApi gateway;
  private static SimulatorAdmin simulator;
  private static StoredFacts facts;
  private static String mailbox;
  // What the undisturbed run extracted from the same mailbox: a disturbed run must match it.
  private static Long referenceMentions;
  private static Long referenceRelationships;

  @BeforeAll
  static void startStack() {
    stack =
        LocalStack.start(
            StackConfig.builder()
                .workDir(Path.of("target/system-stack").toAbsolutePath())
                .messages(MESSAGES)
                .workers(2)
                .build());
    gateway = new GatewayApi(stack.gateway().baseUrl());
    simulator = new SimulatorAdmin(stack.simulator().baseUrl());
    facts = new StoredFacts(stack);
    mailbox = stack.config().mailbox();
  }

  @AfterAll
  static void stopStack() {
    TABLE.print(Path.of("target/system-scenarios.txt").toAbsolutePath());
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void happyPathExtractsEveryMessageOnceWithTwoWorkers() {
    assertThat(stack.buildShas()).allSatisfy((name, sha) -> assertThat(sha).isNotBlank());

    Outcome outcome = run("1 happy path, 2 workers", "st-happy", jobId -> {});

    assertThat(outcome.timeouts()).isZero();
    referenceMentions = facts.mentions("st-happy");
    referenceRelationships = facts.relationships("st-happy");
    assertThat(referenceMentions).isPositive();
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
    assertThat(outcome.timedOutExecutors()).containsOnly(outcome.killed().toArray(String[]::new));
    assertThat(outcome.timeouts()).isPositive();
    assertThat(outcome.retries()).isGreaterThanOrEqualTo(outcome.timeouts());
  }

  @Test
  @Order(3)
  void aFetcherKilledMidJobResumesAfterItStartsAgain() {
    ServiceNode fetcher = stack.fetcher();
    // Slow pages, so the fetch run is still paging when it is killed.
    String slowPages =
        simulator.addFault(Map.of("target", mailbox, "kind", "latency", "latencyMs", 400));
    Outcome outcome;
    try {
      outcome =
          run(
              "3 SIGKILL the fetcher mid-job, restart",
              "st-fetcher-kill",
              jobId -> {
                String executor = fetcher.executorId();
                await("the fetch run past its third page")
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
  }

  /** A disturbance: runs while the job runs, returns the executor ids of processes it killed. */
  @FunctionalInterface
  interface Disturbance {
    Set<String> apply(String jobId);
  }

  /** Plain-lambda form for scenarios that disturb nothing. */
  @FunctionalInterface
  interface Quiet {
    void apply(String jobId);
  }

  private Outcome run(String scenario, String tenant, Quiet quiet) {
    return run(
        scenario,
        tenant,
        (Disturbance)
            jobId -> {
              quiet.apply(jobId);
              return Set.of();
            });
  }

  private Outcome run(String scenario, String tenant, Disturbance disturbance) {
    String apiKey = gateway.createTenant(stack.config().adminToken(), tenant);
    gateway.putSecret(apiKey, "openai_api_key", stack.config().llmApiKey());
    gateway.putSecret(apiKey, "openai_base_url", stack.llmBaseUrl());
    long messages = simulator.messages(mailbox);
    long started = System.nanoTime();
    String jobId = gateway.submit(apiKey, mailbox, stack.windowFrom(), stack.windowTo());
    String result = "failed";
    long documents = -1;
    List<Attempt> attempts = List.of();
    long retries = -1;
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

      documents = facts.documents(tenant);
      attempts = facts.attempts(jobId);
      retries = facts.retries(jobId);
      assertThat(documents).as("documents == messages in the window").isEqualTo(messages);
      assertThat(facts.duplicateMentions(tenant)).as("duplicate mentions").isZero();
      if (referenceMentions != null) {
        assertThat(facts.mentions(tenant)).as("mentions").isEqualTo(referenceMentions);
        assertThat(facts.relationships(tenant))
            .as("relationships")
            .isEqualTo(referenceRelationships);
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
      assertThat(timedOutExecutors)
          .as("executors whose attempts timed out (only killed ones may): %s", attempts)
          .isSubsetOf(killed);
      result = "passed";
      return new Outcome(
          jobId,
          killed,
          timedOutExecutors,
          attempts.stream().filter(a -> a.state().equals("timed_out")).count(),
          retries,
          duration);
    } finally {
      if (documents < 0) {
        documents = facts.documents(tenant);
        attempts = facts.attempts(jobId);
        retries = facts.retries(jobId);
      }
      TABLE.add(
          new ScenarioTable.Row(
              scenario,
              Duration.ofNanos(System.nanoTime() - started),
              messages,
              documents,
              attempts.size(),
              retries,
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
      long timeouts,
      long retries,
      Duration duration) {}
}
