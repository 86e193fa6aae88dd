package io.backfill.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.stack.LocalStack;
import io.backfill.systemtests.StoredFacts.Attempt;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every scenario of every class does: a tenant of its own, a submission, a disturbance while
 * the job runs, then the checks every scenario ends with (the job completed; documents == messages
 * in the window; no duplicate mentions; as many mentions and relationships as the undisturbed run
 * made from the same mail; every failed or timed-out attempt visible in status; no attempt timed
 * out whose process was alive), and one row in the run's {@link ScenarioTable}.
 */
final class ScenarioRunner {

  static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);
  static final String REFERENCE_TENANT = "st-happy";

  // What a disturbance returns when it took the broker itself away: any executor's attempts may
  // have been fenced and timed out then, so the check of timed-out executors does not apply.
  static final Set<String> ALL_EXECUTORS = Set.of("<any: the broker was away>");

  private static ScenarioRunner instance;

  final LocalStack stack;
  final GatewayApi gateway;
  final SimulatorAdmin simulator;
  final StoredFacts facts;
  final String mailbox;
  final List<Instant> received;
  private volatile boolean referenceDone;

  /** A backfill window and how many of the mailbox's messages it holds (the ground truth). */
  record Window(Instant from, Instant to, long messages) {}

  /** A tenant created for one scenario, with its API key and LLM secrets. */
  record Tenant(String id, String apiKey) {}

  /** A disturbance: runs while the job runs, returns the executor ids of processes it killed. */
  @FunctionalInterface
  interface Disturbance {
    Set<String> apply(String jobId);
  }

  record Outcome(
      String jobId,
      Set<String> killed,
      Set<String> timedOutExecutors,
      List<Attempt> attempts,
      long timeouts,
      long retries,
      Duration duration) {}

  private ScenarioRunner(LocalStack stack) {
    this.stack = stack;
    this.gateway = new GatewayApi(stack.gateway().baseUrl());
    this.simulator = new SimulatorAdmin(stack.simulator().baseUrl());
    this.facts = new StoredFacts(stack);
    this.mailbox = stack.config().mailbox();
    this.received = simulator.receivedTimes(mailbox);
  }

  /** The run's runner, over the run's one stack. */
  static synchronized ScenarioRunner get() {
    if (instance == null) {
      instance = new ScenarioRunner(SystemStack.get());
    }
    return instance;
  }

  /** Whether scenario 1 stored the reference data the others compare with. */
  boolean hasReference() {
    return referenceDone;
  }

  /** Scenario 1 stored the reference data the others compare with. */
  void referenceDone() {
    referenceDone = true;
  }

  /** The newest {@code n} messages of the mailbox. */
  Window newest(int n) {
    Instant from = received.get(received.size() - n);
    Instant to = stack.windowTo();
    return window(from, to);
  }

  /** The messages received in [from, to). */
  Window window(Instant from, Instant to) {
    long messages = received.stream().filter(t -> !t.isBefore(from) && t.isBefore(to)).count();
    return new Window(from, to, messages);
  }

  /** A new tenant bound to the stack's Graph directory, with its LLM key at the simulator. */
  Tenant tenant(String id) {
    String apiKey = gateway.createTenant(stack.config().adminToken(), id);
    gateway.putSecret(apiKey, "openai_api_key", stack.config().llmApiKey());
    gateway.putSecret(apiKey, "openai_base_url", stack.llmBaseUrl());
    return new Tenant(id, apiKey);
  }

  Outcome run(String scenario, String tenant, Window window, Disturbance disturbance) {
    return run(scenario, tenant, window, true, disturbance);
  }

  Outcome run(
      String scenario,
      String tenantId,
      Window window,
      boolean sameDataAsReference,
      Disturbance disturbance) {
    Tenant tenant = tenant(tenantId);
    long started = System.nanoTime();
    String jobId = gateway.submit(tenant.apiKey(), mailbox, window.from(), window.to());
    return follow(scenario, tenant, jobId, window, sameDataAsReference, started, disturbance);
  }

  /**
   * Runs the disturbance on a submitted job, waits until it completed and makes the checks every
   * scenario ends with; records the scenario's row whatever happens.
   */
  Outcome follow(
      String scenario,
      Tenant tenant,
      String jobId,
      Window window,
      boolean sameDataAsReference,
      long started,
      Disturbance disturbance) {
    String result = "failed";
    Set<String> killed = Set.of();
    Duration toTerminal = null;
    try {
      killed = disturbance.apply(jobId);
      awaitCompleted(scenario, tenant, jobId);
      toTerminal = Duration.ofNanos(System.nanoTime() - started);
      Outcome outcome =
          check(tenant, jobId, window.messages(), sameDataAsReference, window, killed, toTerminal);
      result = "passed";
      return outcome;
    } finally {
      record(
          scenario,
          tenant.id(),
          List.of(jobId),
          window.messages(),
          killed,
          started,
          toTerminal,
          result);
    }
  }

  /** Waits until the job is completed; fails at once if it failed, was rejected or cancelled. */
  void awaitCompleted(String scenario, Tenant tenant, String jobId) {
    AtomicReference<JsonNode> last = new AtomicReference<>();
    await(scenario + ": job " + jobId + " completed")
        .atMost(JOB_TIMEOUT)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              JsonNode status = gateway.status(tenant.apiKey(), jobId);
              last.set(status);
              String state = status.path("status").asText();
              assertThat(state)
                  .as("job %s status: %s", jobId, status)
                  .isNotIn("failed", "rejected", "cancelled");
              return state.equals("completed");
            });
  }

  /** The checks every scenario ends with, on one completed job of the tenant. */
  Outcome check(
      Tenant tenant,
      String jobId,
      long expectedDocuments,
      boolean sameDataAsReference,
      Window window,
      Set<String> killed,
      Duration duration) {
    List<Attempt> attempts = facts.attempts(jobId);
    assertThat(facts.documents(tenant.id()))
        .as("documents == messages in the window")
        .isEqualTo(expectedDocuments);
    assertThat(facts.duplicateMentions(tenant.id())).as("duplicate mentions").isZero();
    if (referenceDone && sameDataAsReference && window != null) {
      assertThat(facts.mentions(tenant.id(), window.from(), window.to()))
          .as("mentions, as many as the undisturbed run made from the same mail")
          .isEqualTo(facts.mentions(REFERENCE_TENANT, window.from(), window.to()));
      assertThat(facts.relationships(tenant.id(), window.from(), window.to()))
          .as("relationships, as many as the undisturbed run made from the same mail")
          .isEqualTo(facts.relationships(REFERENCE_TENANT, window.from(), window.to()));
    }
    assertFailuresVisible(tenant, jobId, attempts);
    Set<String> timedOutExecutors = timedOutExecutors(attempts);
    if (killed != ALL_EXECUTORS) {
      assertThat(timedOutExecutors)
          .as("executors whose attempts timed out (only killed ones may): %s", attempts)
          .isSubsetOf(killed);
    }
    return new Outcome(
        jobId,
        killed,
        timedOutExecutors,
        attempts,
        attempts.stream().filter(a -> a.state().equals("timed_out")).count(),
        facts.retries(jobId),
        duration);
  }

  /** Every failed or timed-out attempt of the ledger appears in the job's status. */
  void assertFailuresVisible(Tenant tenant, String jobId, List<Attempt> attempts) {
    String status = gateway.status(tenant.apiKey(), jobId).toString();
    for (Attempt attempt : attempts) {
      if (attempt.state().equals("failed") || attempt.state().equals("timed_out")) {
        assertThat(status)
            .as("%s attempt %s of %s in the status API", attempt.state(), attempt, jobId)
            .contains(attempt.attemptId());
      }
    }
  }

  static Set<String> timedOutExecutors(List<Attempt> attempts) {
    Set<String> executors = new HashSet<>();
    attempts.stream()
        .filter(a -> a.state().equals("timed_out"))
        .forEach(a -> executors.add(a.workerId()));
    return executors;
  }

  /**
   * One row of the run's table for the scenario's jobs: what was lost (documents below the
   * expected), duplicated (mentions recorded twice, documents extracted twice) and timed out while
   * its process was alive.
   */
  void record(
      String scenario,
      String tenant,
      List<String> jobIds,
      long expectedDocuments,
      Set<String> killed,
      long started,
      Duration toTerminal,
      String result) {
    try {
      long attempts = 0;
      long retries = 0;
      long timeouts = 0;
      long falseTimeouts = 0;
      for (String jobId : jobIds) {
        List<Attempt> jobAttempts = facts.attempts(jobId);
        attempts += jobAttempts.size();
        retries += facts.retries(jobId);
        for (Attempt attempt : jobAttempts) {
          if (attempt.state().equals("timed_out")) {
            timeouts++;
            if (killed != ALL_EXECUTORS && !killed.contains(attempt.workerId())) {
              falseTimeouts++;
            }
          }
        }
      }
      long documents = facts.documents(tenant);
      long reExtracted = facts.reExtractedDocuments(tenant);
      ScenarioTable.shared()
          .add(
              new ScenarioTable.Row(
                  scenario,
                  Duration.ofNanos(System.nanoTime() - started),
                  expectedDocuments,
                  documents,
                  attempts,
                  retries,
                  timeouts,
                  reExtracted,
                  Math.max(0, expectedDocuments - documents),
                  facts.duplicateMentions(tenant) + reExtracted,
                  falseTimeouts,
                  toTerminal,
                  result));
    } catch (RuntimeException e) {
      // The table must not hide the scenario's own failure (e.g. the database was away).
      System.err.println("Cannot record the row of " + scenario + ": " + e);
    }
  }

  /**
   * The worker with an extract attempt of the job running now, if any: chunks are keyed by run, so
   * which worker's partitions a small job's chunks land on is chance, and a scenario that kills or
   * freezes "a worker mid-chunk" picks the one that has one.
   */
  java.util.Optional<io.backfill.stack.ServiceNode> workerRunning(String jobId) {
    for (io.backfill.stack.ServiceNode worker : stack.workers()) {
      if (worker.isRunning() && running(jobId, worker.executorId())) {
        return java.util.Optional.of(worker);
      }
    }
    return java.util.Optional.empty();
  }

  boolean running(String jobId, String executor) {
    return facts.attempts(jobId).stream()
        .anyMatch(
            a ->
                a.lane().equals("extract")
                    && a.state().equals("running")
                    && a.workerId().equals(executor));
  }

  // A chunk's extract run exists once its page was published and a worker started it.
  long extractRunsStarted(String jobId) {
    return facts.attempts(jobId).stream().filter(a -> a.lane().equals("extract")).count();
  }
}
