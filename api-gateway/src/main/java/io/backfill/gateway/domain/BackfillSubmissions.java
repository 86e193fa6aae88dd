package io.backfill.gateway.domain;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.messaging.Outbox;
import io.backfill.gateway.messaging.OutboxRelay;
import io.backfill.gateway.persistence.SubmissionStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * Submits backfill requests: one (tenant, requestId) is claimed in {@code submitted_requests} and
 * its BackfillRequested stored in the outbox, in one transaction; the outbox relay publishes it.
 * The claim makes the Idempotency-Key work: the same key returns the same job and stores nothing
 * more. Because the claim and the request commit together, a gateway that dies after the commit
 * leaves the request in the outbox for any instance's relay, and a retry of a request that was not
 * stored stores it (docs/decisions/0034-gateway-transactional-outbox.md).
 */
@ApplicationScoped
public class BackfillSubmissions {

  /** What a tenant asked for, validated. */
  public record Request(
      String mailbox,
      Instant from,
      Instant to,
      String folder,
      boolean follow,
      Integer followIntervalSeconds) {

    /**
     * The request's identity for the Idempotency-Key: same key, same fields. A request that does
     * not follow keeps the fingerprint it had before following existed.
     */
    String fingerprint() {
      String window = mailbox + "|" + from + "|" + to + "|" + (folder == null ? "" : folder);
      return follow
          ? window + "|follow:" + (followIntervalSeconds == null ? "" : followIntervalSeconds)
          : window;
    }

    BackfillRequested event(String tenantId, String requestId) {
      return follow
          ? BackfillRequested.following(
              tenantId, requestId, mailbox, from, to, folder, followIntervalSeconds)
          : BackfillRequested.of(tenantId, requestId, mailbox, from, to, folder);
    }
  }

  /** How a submission ended. */
  public enum Outcome {
    /** Claimed now; its request is in the outbox. */
    ACCEPTED,
    /**
     * This key was submitted before with the same fields: same job, nothing more stored. Its
     * request is published, or still in the outbox and published by the relay.
     */
    REPLAYED,
    /** This key was submitted before for a different request. */
    KEY_REUSED
  }

  /** The job a submission names, and how it ended. */
  public record Submission(JobId jobId, String requestId, Outcome outcome) {}

  private final SubmissionStore store;
  private final Outbox outbox;
  private final OutboxRelay relay;

  BackfillSubmissions(SubmissionStore store, Outbox outbox, OutboxRelay relay) {
    this.store = store;
    this.outbox = outbox;
    this.relay = relay;
  }

  /**
   * @param requestId the client's Idempotency-Key, or a random one: the job is {@code
   *     JobId.derive(tenantId, requestId)}, as for a producer posting to the topic itself
   */
  public Submission submit(String tenantId, String requestId, Request request) {
    JobId jobId = JobId.derive(tenantId, requestId);
    boolean claimed =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  if (!claim(tenantId, requestId, jobId, request)) {
                    return false;
                  }
                  outbox.append(
                      Topics.BACKFILL_REQUESTS,
                      tenantId + "/" + request.mailbox(),
                      jobId,
                      request.event(tenantId, requestId));
                  return true;
                });
    if (!claimed) {
      String earlier =
          QuarkusTransaction.requiringNew().call(() -> fingerprintOf(tenantId, requestId));
      Outcome outcome =
          request.fingerprint().equals(earlier) ? Outcome.REPLAYED : Outcome.KEY_REUSED;
      return new Submission(jobId, requestId, outcome);
    }
    relay.wake();
    return new Submission(jobId, requestId, Outcome.ACCEPTED);
  }

  private boolean claim(String tenantId, String requestId, JobId jobId, Request request) {
    return store.claim(
        new SubmissionStore.Claim(
            tenantId,
            requestId,
            UUID.fromString(jobId.value()),
            request.mailbox(),
            request.folder(),
            request.from(),
            request.to(),
            request.fingerprint()));
  }

  private String fingerprintOf(String tenantId, String requestId) {
    return store.fingerprintOf(tenantId, requestId).orElse(null);
  }
}
