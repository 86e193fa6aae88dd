package io.backfill.gateway.api;

import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.domain.BackfillSubmissions;
import io.backfill.gateway.domain.JobCommands;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * Backfill jobs of the caller's tenant: submit, read, list, pause, resume, cancel, follow. Every
 * job is looked up within the caller's tenant, so another tenant's job is a 404 like a missing one.
 */
@Tag(name = ApiTags.BACKFILLS)
@Path("/api/v1/backfills")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = GatewayOpenApi.TENANT_API_KEY)
public class BackfillResource {

  private static final Logger LOG = Logger.getLogger(BackfillResource.class);

  /** The answer to a submission. */
  public record Accepted(String jobId, String requestId, String status, String location) {}

  static final String SUBMIT_EXAMPLE =
      "{\"mailbox\": \"ada@contoso.com\", \"from\": \"2024-01-01\", \"to\":"
          + " \"2025-01-01T00:00:00Z\", \"folder\": \"inbox\"}";

  static final String ACCEPTED_EXAMPLE =
      "{\"jobId\": \"6f1c1d7e-8a4b-5c3d-9e2f-0a1b2c3d4e5f\", \"requestId\":"
          + " \"import-ada-2024\", \"status\": \"pending\", \"location\":"
          + " \"/api/v1/backfills/6f1c1d7e-8a4b-5c3d-9e2f-0a1b2c3d4e5f\"}";

  static final String COMMAND_ACCEPTED_EXAMPLE =
      "{\"jobId\": \"6f1c1d7e-8a4b-5c3d-9e2f-0a1b2c3d4e5f\", \"command\": \"pause\","
          + " \"commandId\": \"0b7e4a52-3d1f-4c8e-a6b9-2f5d7c1e9a30\"}";

  static final String FOLLOW_ACCEPTED_EXAMPLE =
      "{\"jobId\": \"6f1c1d7e-8a4b-5c3d-9e2f-0a1b2c3d4e5f\", \"command\": \"follow\","
          + " \"commandId\": \"0b7e4a52-3d1f-4c8e-a6b9-2f5d7c1e9a30\"}";

  static final String STATUS_EXAMPLE =
      "{\"jobId\": \"6f1c1d7e-8a4b-5c3d-9e2f-0a1b2c3d4e5f\", \"tenantId\": \"acme\","
          + " \"requestId\": \"import-ada-2024\", \"mailbox\": \"ada@contoso.com\","
          + " \"folder\": \"inbox\", \"window\": {\"from\": \"2024-01-01T00:00:00Z\","
          + " \"to\": \"2025-01-01T00:00:00Z\"}, \"status\": \"running\", \"progress\":"
          + " {\"chunksKnown\": 12, \"chunksDone\": 9, \"messagesFetched\": 1180,"
          + " \"messagesExtracted\": 880, \"percent\": 75, \"hasMore\": true,"
          + " \"eta\": \"2026-01-05T09:12:00Z\", \"chunksPublished\": 12}, \"counts\":"
          + " {\"entities\": 2140, \"relationships\": 3310, \"embeddings\": 880,"
          + " \"llmOutcomes\": {\"ok\": 9}, \"llmFailureReasons\": {}}, \"runs\": [],"
          + " \"runsTotal\": 2, \"timeouts\": [], \"lastErrors\": [], \"createdAt\":"
          + " \"2026-01-05T09:00:00Z\", \"updatedAt\": \"2026-01-05T09:04:10Z\"}";

  static final String PAGE_EXAMPLE =
      "{\"items\": [{\"jobId\": \"6f1c1d7e-8a4b-5c3d-9e2f-0a1b2c3d4e5f\", \"requestId\":"
          + " \"import-ada-2024\", \"mailbox\": \"ada@contoso.com\", \"folder\": \"inbox\","
          + " \"window\": {\"from\": \"2024-01-01T00:00:00Z\", \"to\":"
          + " \"2025-01-01T00:00:00Z\"}, \"status\": \"running\", \"chunksPublished\": 12,"
          + " \"messagesFetched\": 1180, \"hasMore\": true, \"createdAt\":"
          + " \"2026-01-05T09:00:00Z\", \"updatedAt\": \"2026-01-05T09:04:10Z\"}],"
          + " \"nextCursor\": \"MTczNjA2NzYwMDowOjZmMWMxZDdl\"}";

  private final Caller caller;
  private final SubmitBackfillParser parser;
  private final BackfillSubmissions submissions;
  private final BackfillStatusAssembler statuses;
  private final BackfillListing listing;
  private final BackfillCommandService commands;
  private final MeterRegistry metrics;

  BackfillResource(
      Caller caller,
      SubmitBackfillParser parser,
      BackfillSubmissions submissions,
      BackfillStatusAssembler statuses,
      BackfillListing listing,
      BackfillCommandService commands,
      MeterRegistry metrics) {
    this.caller = caller;
    this.parser = parser;
    this.submissions = submissions;
    this.statuses = statuses;
    this.listing = listing;
    this.commands = commands;
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
              schema = @Schema(implementation = SubmitBackfill.class),
              examples = @ExampleObject(name = "a year of one inbox", value = SUBMIT_EXAMPLE)))
  @APIResponse(
      responseCode = "202",
      description = "Accepted; Location is the job's status",
      content =
          @Content(
              schema = @Schema(implementation = Accepted.class),
              examples = @ExampleObject(name = "accepted", value = ACCEPTED_EXAMPLE)))
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
      content =
          @Content(
              schema = @Schema(implementation = BackfillStatus.class),
              examples = @ExampleObject(name = "running", value = STATUS_EXAMPLE)))
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
      content =
          @Content(
              schema = @Schema(implementation = BackfillListing.JobPage.class),
              examples = @ExampleObject(name = "one page", value = PAGE_EXAMPLE)))
  @APIResponse(responseCode = "400", description = "Unknown status, bad limit or cursor")
  public BackfillListing.JobPage list(
      @QueryParam("status") String status,
      @QueryParam("mailbox") String mailbox,
      @QueryParam("limit") String limit,
      @QueryParam("cursor") String cursor) {
    return listing.page(caller.tenantId(), status, mailbox, limit, cursor);
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
      description = "Command accepted; the gateway publishes it to backfill.commands",
      content =
          @Content(
              schema = @Schema(implementation = BackfillCommandService.CommandAccepted.class),
              examples = @ExampleObject(name = "accepted", value = COMMAND_ACCEPTED_EXAMPLE)))
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
      description = "Command accepted; the gateway publishes it to backfill.commands",
      content =
          @Content(
              schema = @Schema(implementation = BackfillCommandService.CommandAccepted.class),
              examples = @ExampleObject(name = "accepted", value = COMMAND_ACCEPTED_EXAMPLE)))
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
      description = "Command accepted; the gateway publishes it to backfill.commands",
      content =
          @Content(
              schema = @Schema(implementation = BackfillCommandService.CommandAccepted.class),
              examples = @ExampleObject(name = "accepted", value = COMMAND_ACCEPTED_EXAMPLE)))
  @APIResponse(responseCode = "404", description = "No such job for this tenant")
  @APIResponse(
      responseCode = "409",
      description =
          "The job is completed (and its following is not on or paused), cancelled or rejected")
  public Response cancel(@PathParam("jobId") String jobId) {
    return command(jobId, JobCommands.CANCEL);
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
              schema = @Schema(implementation = BackfillCommandService.FollowRequest.class)))
  @APIResponse(
      responseCode = "202",
      description = "Command accepted; the gateway publishes it to backfill.commands",
      content =
          @Content(
              schema = @Schema(implementation = BackfillCommandService.CommandAccepted.class),
              examples = @ExampleObject(name = "accepted", value = FOLLOW_ACCEPTED_EXAMPLE)))
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
    return commands.follow(caller.tenantId(), jobId, contentType, body);
  }

  private Response command(String jobId, JobCommands command) {
    return commands.command(caller.tenantId(), jobId, command);
  }

  private void count(String outcome) {
    metrics.counter("backfill_gateway_requests_total", "outcome", outcome).increment();
  }

  private static ProblemException notFound(String jobId) {
    return BackfillCommandService.notFound(jobId);
  }

  private static UUID parse(String jobId) {
    return BackfillCommandService.parse(jobId);
  }
}
