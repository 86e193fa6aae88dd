package io.backfill.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.FollowJob;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.domain.JobCommands;
import io.backfill.gateway.domain.JobStatus;
import io.backfill.gateway.messaging.Outbox;
import io.backfill.gateway.messaging.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Commands on one of the tenant's jobs (pause, resume, cancel, follow): which the job's state
 * accepts, and the accepted ones stored in the outbox for {@code backfill.commands}.
 */
@ApplicationScoped
public class BackfillCommandService {

  private static final Logger LOG = Logger.getLogger(BackfillCommandService.class);

  /** The answer to a command. */
  public record CommandAccepted(String jobId, String command, UUID commandId) {}

  /** The optional body of {@code POST /{jobId}/follow}. */
  @Schema(description = "Following options; no other fields are accepted")
  public record FollowRequest(
      @Schema(
              description =
                  "Seconds between delta rounds (jittered), 1 to 86400; the fetcher's default"
                      + " when absent",
              minimum = "1",
              maximum = "86400",
              examples = "300")
          @Min(
              value = BackfillRequested.MIN_FOLLOW_INTERVAL_SECONDS,
              message = SubmitBackfill.INTERVAL)
          @Max(
              value = BackfillRequested.MAX_FOLLOW_INTERVAL_SECONDS,
              message = SubmitBackfill.INTERVAL)
          Integer followIntervalSeconds) {}

  private final BackfillStatusAssembler statuses;
  private final Outbox outbox;
  private final OutboxRelay relay;
  private final MeterRegistry metrics;
  private final JsonBodies bodies;

  BackfillCommandService(
      BackfillStatusAssembler statuses,
      Outbox outbox,
      OutboxRelay relay,
      MeterRegistry metrics,
      JsonBodies bodies) {
    this.statuses = statuses;
    this.outbox = outbox;
    this.relay = relay;
    this.metrics = metrics;
    this.bodies = bodies;
  }

  /** Stores the command in the outbox if the job's state accepts it; else 409. */
  Response command(String tenantId, String jobId, JobCommands command) {
    UUID id = parse(jobId);
    BackfillStatus shown = statuses.status(tenantId, id).orElseThrow(() -> notFound(jobId));
    String status = shown.status();
    String followState = shown.follow() == null ? null : shown.follow().state();
    // A completed job that follows its mailbox takes the command for its rounds (decision 0037).
    boolean forFollowing =
        JobStatus.COMPLETED.wireName().equals(status)
            && command.acceptedWhileFollowing(followState);
    if (!forFollowing && !command.acceptedIn(status)) {
      throw new ProblemException(
          Problem.of(
              "invalid-job-state",
              "Command not allowed in this state",
              409,
              "Cannot "
                  + command.wireName()
                  + " job "
                  + jobId
                  + ": it is "
                  + status
                  + "; "
                  + command.wireName()
                  + " is accepted when "
                  + command.acceptedStates().stream().sorted().toList()
                  + (followState == null
                      ? ""
                      : " or, for a completed job's following, when "
                          + command.acceptedFollowStates().stream().sorted().toList()
                          + " (following is "
                          + followState
                          + ")")
                  + "."));
    }
    BackfillCommand event =
        command.command(tenantId, new JobId(jobId), "requested through the API");
    return enqueue(tenantId, jobId, command.wireName(), event);
  }

  /** Stores FollowJob in the outbox for a completed, unfollowed job; else 409. */
  Response follow(String tenantId, String jobId, String contentType, byte[] body) {
    UUID id = parse(jobId);
    JsonNode tree =
        JsonBodies.object(body, contentType, false, FollowRequest.class, "invalid-follow-request");
    List<Problem.FieldError> errors = new ArrayList<>();
    FollowRequest request =
        bodies.bind(tree, FollowRequest.class, field -> SubmitBackfill.INTERVAL, errors);
    if (request == null) {
      throw new ProblemException(
          Problem.invalid("invalid-follow-request", "The follow request is invalid.", errors));
    }
    BackfillStatus shown = statuses.status(tenantId, id).orElseThrow(() -> notFound(jobId));
    if (!JobStatus.COMPLETED.wireName().equals(shown.status()) || shown.follow() != null) {
      throw new ProblemException(
          Problem.of(
              "invalid-job-state",
              "Command not allowed in this state",
              409,
              "Cannot follow job "
                  + jobId
                  + ": "
                  + (shown.follow() != null
                      ? "its following is " + shown.follow().state()
                      : "it is " + shown.status())
                  + "; follow is accepted for a completed job that is not followed."));
    }
    return enqueue(
        tenantId,
        jobId,
        "follow",
        FollowJob.of(tenantId, new JobId(jobId), request.followIntervalSeconds()));
  }

  private Response enqueue(
      String tenantId, String jobId, String commandName, BackfillCommand event) {
    // Stored with the same outbox as submissions: the relay publishes it in order with the job's
    // other commands (same key), also when the broker is down now or this instance stops.
    QuarkusTransaction.requiringNew()
        .run(() -> outbox.append(Topics.BACKFILL_COMMANDS, event.key(), event.jobId(), event));
    relay.wake();
    metrics
        .counter("backfill_gateway_commands_total", "command", commandName, "outcome", "accepted")
        .increment();
    MDC.put("tenantId", tenantId);
    MDC.put("jobId", jobId);
    try {
      LOG.infof("accepted %s of job %s (tenant %s), in the outbox", commandName, jobId, tenantId);
    } finally {
      MDC.remove("tenantId");
      MDC.remove("jobId");
    }
    return Response.accepted(new CommandAccepted(jobId, commandName, event.eventId())).build();
  }

  static ProblemException notFound(String jobId) {
    return new ProblemException(
        Problem.of(
            "backfill-not-found",
            "Backfill not found",
            404,
            // The id is not echoed: a 404 answer carries nothing about any job.
            "No such backfill job is known to the gateway for this tenant."));
  }

  static UUID parse(String jobId) {
    try {
      return UUID.fromString(new JobId(jobId).value());
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
          Problem.of("invalid-job-id", "Invalid job id", 400, e.getMessage()));
    }
  }
}
