package io.backfill.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.event.FollowJob;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.BackfillSubmissions;
import io.backfill.gateway.domain.JobCommands;
import io.backfill.gateway.domain.JobStatus;
import io.backfill.gateway.messaging.Outbox;
import io.backfill.gateway.messaging.OutboxRelay;
import io.backfill.gateway.persistence.JobReadQueries;
import io.backfill.gateway.persistence.JobView;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Backfill jobs of the caller's tenant: submit, read, list, pause, resume, cancel, follow. Every
 * job is looked up within the caller's tenant, so another tenant's job is a 404 like a missing one.
 */
@Path("/api/v1/backfills")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = GatewayOpenApi.TENANT_API_KEY)
public class BackfillResource {

  private static final Logger LOG = Logger.getLogger(BackfillResource.class);

  /** The answer to a submission or a command. */
  public record Accepted(String jobId, String requestId, String status, String location) {}

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
          Integer followIntervalSeconds) {}

  /** One job in a list. */
  public record JobSummary(
      UUID jobId,
      String requestId,
      String mailbox,
      String folder,
      BackfillStatus.Window window,
      String status,
      int chunksPublished,
      long messagesFetched,
      boolean hasMore,
      Instant createdAt,
      Instant updatedAt) {}

  /** A page of jobs; {@code nextCursor} is null on the last page. */
  public record JobPage(List<JobSummary> items, String nextCursor) {}

  private final Caller caller;
  private final SubmitBackfillParser parser;
  private final BackfillSubmissions submissions;
  private final BackfillStatusAssembler statuses;
  private final JobReadQueries queries;
  private final Outbox outbox;
  private final OutboxRelay relay;
  private final GatewayConfig config;
  private final MeterRegistry metrics;

  BackfillResource(
      Caller caller,
      SubmitBackfillParser parser,
      BackfillSubmissions submissions,
      BackfillStatusAssembler statuses,
      JobReadQueries queries,
      Outbox outbox,
      OutboxRelay relay,
      GatewayConfig config,
      MeterRegistry metrics) {
    this.caller = caller;
    this.parser = parser;
    this.submissions = submissions;
    this.statuses = statuses;
    this.queries = queries;
    this.outbox = outbox;
    this.relay = relay;
    this.config = config;
    this.metrics = metrics;
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "submitBackfill",
      summary = "Submit a backfill",
      description =
          "Stores the request with its idempotency claim in one transaction and answers; the"
              + " gateway then publishes BackfillRequested to backfill.requests, also when the"
              + " broker is down at the time (once it is back) or this instance stops (another"
              + " instance publishes it). With an Idempotency-Key the same key always names the"
              + " same job and stores one request; without one a random request id is used.")
  @RequestBody(
      required = true,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = SubmitBackfill.class)))
  @APIResponse(
      responseCode = "202",
      description = "Accepted; Location is the job's status",
      content = @Content(schema = @Schema(implementation = Accepted.class)))
  @APIResponse(
      responseCode = "400",
      description =
          "Invalid request: bad mailbox, from ≥ to, missing or unknown fields, unparseable dates,"
              + " window too long, body too large, not JSON; one error per field")
  @APIResponse(
      responseCode = "422",
      description = "The Idempotency-Key was used before for a different request")
  public Response submit(
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      byte[] body) {
    String tenantId = caller.tenantId();
    BackfillSubmissions.Request request;
    String key;
    try {
      key = parser.idempotencyKey(idempotencyKey);
      request = parser.parse(contentType, body);
    } catch (ProblemException e) {
      count("invalid");
      throw e;
    }
    String requestId = key != null ? key : UUID.randomUUID().toString();
    BackfillSubmissions.Submission submission = submissions.submit(tenantId, requestId, request);
    if (submission.outcome() == BackfillSubmissions.Outcome.KEY_REUSED) {
      count("key_reused");
      throw new ProblemException(
          Problem.of(
              "idempotency-key-reused",
              "Idempotency-Key reused",
              422,
              "Idempotency-Key "
                  + requestId
                  + " was used before for a different request (job "
                  + submission.jobId()
                  + ")."));
    }
    count(submission.outcome() == BackfillSubmissions.Outcome.ACCEPTED ? "accepted" : "replayed");
    if (submission.outcome() == BackfillSubmissions.Outcome.ACCEPTED) {
      LOG.infof(
          "accepted backfill request %s of tenant %s: job %s, in the outbox",
          requestId, tenantId, submission.jobId());
    }
    URI location = URI.create("/api/v1/backfills/" + submission.jobId().value());
    return Response.accepted(
            new Accepted(submission.jobId().value(), requestId, "pending", location.toString()))
        .location(location)
        .build();
  }

  @GET
  @Path("/{jobId}")
  @Operation(operationId = "getBackfillStatus", summary = "The status of one backfill job")
  @APIResponse(
      responseCode = "200",
      description = "The job's status",
      content = @Content(schema = @Schema(implementation = BackfillStatus.class)))
  @APIResponse(responseCode = "400", description = "The job id is not a lower-case canonical UUID")
  @APIResponse(responseCode = "404", description = "No such job for this tenant")
  public BackfillStatus status(@PathParam("jobId") String jobId) {
    String tenantId = caller.tenantId();
    UUID id = parse(jobId);
    return statuses.status(tenantId, id).orElseThrow(() -> notFound(jobId));
  }

  @GET
  @Operation(
      operationId = "listBackfills",
      summary = "The tenant's backfill jobs, newest first, cursor-paged")
  @APIResponse(
      responseCode = "200",
      description = "A page of jobs",
      content = @Content(schema = @Schema(implementation = JobPage.class)))
  @APIResponse(responseCode = "400", description = "Unknown status, bad limit or cursor")
  public JobPage list(
      @QueryParam("status") String status,
      @QueryParam("mailbox") String mailbox,
      @QueryParam("limit") String limit,
      @QueryParam("cursor") String cursor) {
    String tenantId = caller.tenantId();
    List<Problem.FieldError> errors = new java.util.ArrayList<>();
    if (status != null
        && Arrays.stream(JobStatus.values()).noneMatch(s -> s.wireName().equals(status))) {
      errors.add(
          new Problem.FieldError(
              "status",
              "one of " + Arrays.stream(JobStatus.values()).map(JobStatus::wireName).toList()));
    }
    int pageSize = config.listing().defaultLimit();
    if (limit != null) {
      try {
        pageSize = Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        pageSize = -1;
      }
      if (pageSize < 1 || pageSize > config.listing().maxLimit()) {
        errors.add(
            new Problem.FieldError("limit", "a number from 1 to " + config.listing().maxLimit()));
      }
    }
    Cursor after = null;
    if (cursor != null) {
      after = Cursor.decode(cursor);
      if (after == null) {
        errors.add(new Problem.FieldError("cursor", "not a cursor this gateway gave out"));
      }
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(
          Problem.invalid("invalid-query", "The list query is invalid.", errors));
    }
    int size = pageSize;
    Cursor position = after;
    List<JobView> rows =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    queries.page(
                        tenantId,
                        status,
                        mailbox == null ? null : mailbox.toLowerCase(java.util.Locale.ROOT),
                        position == null ? null : position.createdAt(),
                        position == null ? null : position.jobId(),
                        size));
    List<JobView> page = rows.size() > size ? rows.subList(0, size) : rows;
    String next =
        rows.size() > size
            ? new Cursor(page.get(size - 1).createdAt, page.get(size - 1).jobId).encode()
            : null;
    return new JobPage(page.stream().map(BackfillResource::summary).toList(), next);
  }

  @POST
  @Path("/{jobId}/pause")
  @Operation(
      operationId = "pauseBackfill",
      summary =
          "Pause a pending or running job, or a completed job's following (publishes PauseJob to"
              + " backfill.commands)")
  @APIResponse(
      responseCode = "202",
      description = "Command accepted; the gateway publishes it to backfill.commands")
  @APIResponse(responseCode = "404", description = "No such job for this tenant")
  @APIResponse(responseCode = "409", description = "The job's state does not allow it")
  public Response pause(@PathParam("jobId") String jobId) {
    return command(jobId, JobCommands.PAUSE);
  }

  @POST
  @Path("/{jobId}/resume")
  @Operation(
      operationId = "resumeBackfill",
      summary =
          "Resume a job that has not completed, or a completed job's paused following (publishes"
              + " ResumeJob; a running job whose attempt is alive is left to it)")
  @APIResponse(
      responseCode = "202",
      description = "Command accepted; the gateway publishes it to backfill.commands")
  @APIResponse(responseCode = "404", description = "No such job for this tenant")
  @APIResponse(
      responseCode = "409",
      description = "The job is completed (and not followed) or rejected")
  public Response resume(@PathParam("jobId") String jobId) {
    return command(jobId, JobCommands.RESUME);
  }

  @POST
  @Path("/{jobId}/cancel")
  @Operation(
      operationId = "cancelBackfill",
      summary =
          "Cancel a job that has not ended, or end a completed job's following for good"
              + " (publishes CancelJob)")
  @APIResponse(
      responseCode = "202",
      description = "Command accepted; the gateway publishes it to backfill.commands")
  @APIResponse(responseCode = "404", description = "No such job for this tenant")
  @APIResponse(
      responseCode = "409",
      description =
          "The job is completed (and its following is not on or paused), cancelled or rejected")
  public Response cancel(@PathParam("jobId") String jobId) {
    return command(jobId, JobCommands.CANCEL);
  }

  private Response command(String jobId, JobCommands command) {
    String tenantId = caller.tenantId();
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

  @POST
  @Path("/{jobId}/follow")
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "followBackfill",
      summary =
          "Follow a completed job's mailbox from now on (publishes FollowJob to"
              + " backfill.commands; docs/decisions/0037)",
      description =
          "Its first delta round lists every folder afresh and removes what is gone since the"
              + " history; messages that did not change are not extracted again. The job's status"
              + " stays completed; its follow object shows the rounds. The body is optional.")
  @RequestBody(
      required = false,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = FollowRequest.class)))
  @APIResponse(
      responseCode = "202",
      description = "Command accepted; the gateway publishes it to backfill.commands",
      content = @Content(schema = @Schema(implementation = CommandAccepted.class)))
  @APIResponse(
      responseCode = "400",
      description = "Invalid job id or body (followIntervalSeconds outside 1 to 86400)")
  @APIResponse(responseCode = "404", description = "No such job for this tenant")
  @APIResponse(
      responseCode = "409",
      description = "The job is not completed, or it is already followed (or its following ended)")
  public Response follow(
      @PathParam("jobId") String jobId,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      byte[] body) {
    String tenantId = caller.tenantId();
    UUID id = parse(jobId);
    JsonNode tree =
        JsonBodies.object(
            body, contentType, false, Set.of("followIntervalSeconds"), "invalid-follow-request");
    List<Problem.FieldError> errors = new java.util.ArrayList<>();
    Integer interval =
        SubmitBackfillParser.followInterval(
            tree == null ? null : tree.get("followIntervalSeconds"), true, errors);
    if (!errors.isEmpty()) {
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
    return enqueue(tenantId, jobId, "follow", FollowJob.of(tenantId, new JobId(jobId), interval));
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

  private void count(String outcome) {
    metrics.counter("backfill_gateway_requests_total", "outcome", outcome).increment();
  }

  private static JobSummary summary(JobView view) {
    return new JobSummary(
        view.jobId,
        view.requestId,
        view.mailbox,
        view.folder,
        view.windowFrom == null && view.windowTo == null
            ? null
            : new BackfillStatus.Window(view.windowFrom, view.windowTo),
        view.status.wireName(),
        view.chunksPublished,
        view.messagesFetched,
        view.hasMore,
        view.createdAt,
        view.updatedAt);
  }

  private static ProblemException notFound(String jobId) {
    return new ProblemException(
        Problem.of(
            "backfill-not-found",
            "Backfill not found",
            404,
            // The id is not echoed: a 404 answer carries nothing about any job.
            "No such backfill job is known to the gateway for this tenant."));
  }

  private static UUID parse(String jobId) {
    try {
      return UUID.fromString(new JobId(jobId).value());
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
          Problem.of("invalid-job-id", "Invalid job id", 400, e.getMessage()));
    }
  }

  /** A list position: the last job of the previous page. Opaque to clients. */
  record Cursor(Instant createdAt, UUID jobId) {

    String encode() {
      String raw = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + jobId;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Far longer than any cursor {@link #encode} writes. */
    static final int MAX_CHARS = 128;

    static Cursor decode(String cursor) {
      if (cursor.length() > MAX_CHARS) {
        return null;
      }
      try {
        String[] parts =
            new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", 3);
        long nanos = Long.parseLong(parts[1]);
        if (nanos < 0 || nanos > 999_999_999) {
          return null;
        }
        Instant at = Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos);
        // A forged position outside what the database stores would fail the query.
        return InputText.inRange(at) ? new Cursor(at, UUID.fromString(parts[2])) : null;
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
