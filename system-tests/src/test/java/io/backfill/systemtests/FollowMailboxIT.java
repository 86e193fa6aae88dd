package io.backfill.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import io.backfill.stack.StackConfig;
import io.backfill.systemtests.ScenarioRunner.Tenant;
import io.backfill.systemtests.SimulatorAdmin.TrueMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Following a mailbox after its backfill (decision 0037), on the run's one stack with a mailbox of
 * its own (the other scenarios' mailbox never changes). One followed job lives through every phase
 * in order: mail delivered while the history is paged; new, changed, moved and deleted mail; the
 * fetcher SIGKILLed mid-round; a pause while Graph expires the delta tokens and mail is deleted,
 * then the resume's resync; a cancel. After each phase the worker's store equals the simulator's
 * ground truth: the same messages, nothing kept of a removed message, no entity that no document
 * mentions.
 *
 * <p>It runs last: creating a mailbox and changing mail teaches the simulated LLM new names, so the
 * same prompt about the stack's mailbox can name more people afterwards, and the scenarios that
 * compare mentions with the reference run must all come before it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(Integer.MAX_VALUE)
@ExtendWith(SystemStack.class)
class FollowMailboxIT {

  private static final String MAILBOX = "follow@contoso.com";
  private static final int MESSAGES = 300;
  private static final int INTERVAL_SECONDS = 5;
  private static final Duration INTERVAL = Duration.ofSeconds(INTERVAL_SECONDS);
  // Two follow intervals fetch every change; extracting a phase's changes (at most 250 messages
  // through the LLM on two workers) takes up to this much longer.
  private static final Duration EXTRACTION_ALLOWANCE = Duration.ofSeconds(90);
  private static final Duration CONVERGED = INTERVAL.multipliedBy(2).plus(EXTRACTION_ALLOWANCE);

  private static ScenarioRunner scenarios;
  private static LocalStack stack;
  private static SimulatorAdmin simulator;
  private static StoredFacts facts;
  private static GatewayApi gateway;

  @BeforeAll
  static void startStack() {
    scenarios = ScenarioRunner.get();
    stack = scenarios.stack;
    simulator = scenarios.simulator;
    facts = scenarios.facts;
    gateway = scenarios.gateway;
  }

  @Test
  @Order(1)
  void aFollowedMailboxStaysEqualToGraphThroughChangesACrashAResyncAndItsControls() {
    Tenant tenant = scenarios.tenant("st-follow");
    simulator.createMailbox(MAILBOX, MESSAGES, 11, StackConfig.GRAPH_DIRECTORY);
    Instant from = stack.config().mailboxStart();

    // 1. Mail delivered while the history is paged is in the store after the first round.
    String slowPages =
        simulator.addFault(Map.of("target", MAILBOX, "kind", "latency", "latencyMs", 700));
    String jobId =
        gateway.submitFollowing(tenant.apiKey(), MAILBOX, from, stack.windowTo(), INTERVAL_SECONDS);
    await("the history's first chunk published")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> status(tenant, jobId).path("progress").path("chunksPublished").asInt() >= 1);
    assertThat(status(tenant, jobId).path("status").asText())
        .as("the history is still being paged when mail arrives")
        .isEqualTo("running");
    List<String> arrivedDuringHistory = simulator.deliver(MAILBOX, 20, "inbox");
    simulator.removeFault(slowPages);
    scenarios.awaitCompleted("follow", tenant, jobId);
    awaitFollow(tenant, jobId, follow -> follow.path("state").asText().equals("following"));
    int roundsAfterHistory = rounds(tenant, jobId);
    awaitFollow(tenant, jobId, follow -> follow.path("rounds").asInt() > roundsAfterHistory);
    awaitStoreEqualsGroundTruth(tenant, from, "mail delivered while the history was paged");
    assertThat(facts.documentIds(tenant.id())).containsAll(arrivedDuringHistory);

    // 2. 50 new, 10 changed, 5 moved and 10 deleted messages, within two intervals.
    List<TrueMessage> inbox =
        simulator.groundTruth(MAILBOX).stream()
            .filter(message -> message.folder().equalsIgnoreCase("inbox"))
            .toList();
    assertThat(inbox).as("the inbox holds enough mail to change").hasSizeGreaterThan(25);
    List<String> added = simulator.deliver(MAILBOX, 50, "inbox");
    Map<String, String> newSubjects = new HashMap<>();
    for (TrueMessage message : inbox.subList(0, 10)) {
      String subject = "Changed: " + message.id().substring(Math.max(0, message.id().length() - 8));
      simulator.update(
          MAILBOX, message.id(), subject, "Dear Ana, the plan changed again. Regards, Ben");
      newSubjects.put(message.id(), subject);
    }
    Set<String> movedAway = new HashSet<>();
    Set<String> movedTo = new HashSet<>();
    for (TrueMessage message : inbox.subList(10, 15)) {
      movedAway.add(message.id());
      movedTo.add(simulator.move(MAILBOX, message.id(), "archive"));
    }
    Set<String> deleted = new HashSet<>();
    for (TrueMessage message : inbox.subList(15, 25)) {
      simulator.delete(MAILBOX, message.id());
      deleted.add(message.id());
    }
    Instant changed = Instant.now();
    awaitStoreEqualsGroundTruth(tenant, from, "50 new, 10 changed, 5 moved, 10 deleted");
    System.out.println(
        "follow: changes applied " + Duration.between(changed, Instant.now()) + " after made");
    assertThat(facts.documentIds(tenant.id())).containsAll(added).containsAll(movedTo);
    Set<String> gone = new HashSet<>(deleted);
    gone.addAll(movedAway.stream().filter(id -> !movedTo.contains(id)).toList());
    assertThat(facts.rowsOfMissingDocuments(tenant.id(), gone))
        .as("nothing kept of a deleted or moved-away message (document, mentions, embedding)")
        .isZero();
    Map<String, String> stored = facts.subjects(tenant.id());
    newSubjects.forEach(
        (id, subject) ->
            assertThat(stored.get(id)).as("changed message %s", id).isEqualTo(subject));
    JsonNode changes = status(tenant, jobId).path("follow").path("changes");
    assertThat(changes.path("updated").asLong()).as("updates counted").isGreaterThanOrEqualTo(10);
    assertThat(changes.path("deleted").asLong()).as("deletions counted").isGreaterThanOrEqualTo(10);

    // 3. The fetcher SIGKILLed mid-round: the round resumes from its stored link.
    ServiceNode fetcher = stack.fetcher();
    String slowRound =
        simulator.addFault(Map.of("target", MAILBOX, "kind", "latency", "latencyMs", 1_500));
    long chunkRunsBefore = scenarios.extractRunsStarted(jobId);
    List<String> bigDelivery = simulator.deliver(MAILBOX, 250, "inbox");
    // Six folders and three pages of new mail at 1.5 s a call: the round runs for over 10 s, and
    // a chunk of it being extracted means its first page is published and checkpointed.
    await("a follow round running with a page of the new mail published")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                runningFollowAttempt(jobId)
                    && scenarios.extractRunsStarted(jobId) > chunkRunsBefore);
    fetcher.kill();
    fetcher.start();
    simulator.removeFault(slowRound);
    awaitStoreEqualsGroundTruth(tenant, from, "a round resumed after the fetcher was killed");
    assertThat(facts.reExtractedDocuments(tenant.id(), new HashSet<>(bigDelivery)))
        .as("no message of the interrupted round extracted twice")
        .isZero();

    // 4. Paused: no round while Graph expires the tokens and mail is deleted; resumed: the
    //    fresh round (410) removes what is gone.
    assertThat(gateway.command(tenant.apiKey(), jobId, "pause").status()).isEqualTo(202);
    awaitFollow(tenant, jobId, follow -> follow.path("state").asText().equals("paused"));
    awaitNoRoundRunning(jobId);
    int roundsWhenPaused = rounds(tenant, jobId);
    Set<String> storedWhenPaused = facts.documentIds(tenant.id());
    List<TrueMessage> toDelete =
        simulator.groundTruth(MAILBOX).stream()
            .filter(message -> message.folder().equalsIgnoreCase("inbox"))
            .limit(3)
            .toList();
    toDelete.forEach(message -> simulator.delete(MAILBOX, message.id()));
    simulator.expireDeltaTokens(MAILBOX);
    List<String> arrivedWhilePaused = simulator.deliver(MAILBOX, 5, "inbox");
    await("no round and no change while paused")
        .during(INTERVAL.multipliedBy(3))
        .atMost(INTERVAL.multipliedBy(4))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                rounds(tenant, jobId) == roundsWhenPaused
                    && facts.documentIds(tenant.id()).equals(storedWhenPaused));
    long resyncsBefore = status(tenant, jobId).path("follow").path("resyncs").asLong();
    assertThat(gateway.command(tenant.apiKey(), jobId, "resume").status()).isEqualTo(202);
    awaitStoreEqualsGroundTruth(tenant, from, "resumed after the tokens expired");
    assertThat(facts.documentIds(tenant.id())).containsAll(arrivedWhilePaused);
    assertThat(facts.rowsOfMissingDocuments(tenant.id(), ids(toDelete)))
        .as("mail deleted while the tokens expired is reconciled away")
        .isZero();
    assertThat(status(tenant, jobId).path("follow").path("resyncs").asLong())
        .as("the resync counted in status")
        .isGreaterThan(resyncsBefore);

    // 5. Cancelled: following ends; new mail stays out.
    assertThat(gateway.command(tenant.apiKey(), jobId, "cancel").status()).isEqualTo(202);
    awaitFollow(tenant, jobId, follow -> follow.path("state").asText().equals("ended"));
    awaitNoRoundRunning(jobId);
    int roundsWhenCancelled = rounds(tenant, jobId);
    List<String> afterCancel = simulator.deliver(MAILBOX, 5, "inbox");
    await("no round after the cancel")
        .during(INTERVAL.multipliedBy(3))
        .atMost(INTERVAL.multipliedBy(4))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> rounds(tenant, jobId) == roundsWhenCancelled);
    assertThat(facts.documentIds(tenant.id())).doesNotContainAnyElementsOf(afterCancel);
    assertThat(status(tenant, jobId).path("status").asText()).isEqualTo("completed");

    // Every round went through the per-mailbox limits without a 429.
    assertThat(simulator.graphAnswers("messages.delta", MAILBOX, "429"))
        .as("delta calls throttled by Outlook's per-mailbox limits")
        .isZero();
  }

  private JsonNode status(Tenant tenant, String jobId) {
    return gateway.status(tenant.apiKey(), jobId);
  }

  private int rounds(Tenant tenant, String jobId) {
    return status(tenant, jobId).path("follow").path("rounds").asInt();
  }

  private boolean runningFollowAttempt(String jobId) {
    return facts.attempts(jobId).stream()
        .anyMatch(attempt -> attempt.lane().equals("follow") && attempt.state().equals("running"));
  }

  private void awaitNoRoundRunning(String jobId) {
    await("no follow round running")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !runningFollowAttempt(jobId));
  }

  private void awaitFollow(Tenant tenant, String jobId, Predicate<JsonNode> condition) {
    await("follow state of job " + jobId)
        .atMost(CONVERGED)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> condition.test(status(tenant, jobId).path("follow")));
  }

  /**
   * Waits until the tenant's documents are exactly the mailbox's messages received from {@code
   * from} on, then checks that no entity is left that no document mentions.
   */
  private void awaitStoreEqualsGroundTruth(Tenant tenant, Instant from, String phase) {
    await(phase + ": the store equals the ground truth")
        .atMost(CONVERGED)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Set<String> truth =
                  simulator.groundTruth(MAILBOX).stream()
                      .filter(message -> !message.receivedAt().isBefore(from))
                      .map(TrueMessage::id)
                      .collect(Collectors.toSet());
              assertThat(facts.documentIds(tenant.id()))
                  .as(phase + ": documents == the mailbox's messages")
                  .containsExactlyInAnyOrderElementsOf(truth);
            });
    assertThat(facts.duplicateMentions(tenant.id())).as(phase + ": duplicate mentions").isZero();
    assertThat(facts.orphanedEntities(tenant.id()))
        .as(phase + ": entities no document mentions")
        .isZero();
  }

  private static Set<String> ids(List<TrueMessage> messages) {
    return messages.stream().map(TrueMessage::id).collect(Collectors.toSet());
  }
}
