package io.backfill.gateway.api;

import io.backfill.contracts.id.JobId;
import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.config.GatewayConfig;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Live progress of one job as Server-Sent Events: the job's read model is polled and every change
 * of status or progress is sent, until the job ends (completed, failed, cancelled, rejected), when
 * the stream closes after the final event.
 */
@Tag(name = ApiTags.BACKFILLS)
@Path("/api/v1/backfills/{jobId}/events")
@SecurityRequirement(name = GatewayOpenApi.TENANT_API_KEY)
public class BackfillEventsResource {

  private static final Set<String> ENDED = Set.of("completed", "failed", "cancelled", "rejected");

  /** One SSE event: the job's status and progress at {@code at}. */
  public record ProgressEvent(
      String jobId, String status, String reason, BackfillStatus.Progress progress, Instant at) {

    boolean ended() {
      return ENDED.contains(status);
    }

    /** Same status and progress (eta aside): not worth sending again. */
    boolean sameAs(ProgressEvent other) {
      return other != null
          && status.equals(other.status)
          && java.util.Objects.equals(reason, other.reason)
          && progress.chunksKnown() == other.progress.chunksKnown()
          && progress.chunksDone() == other.progress.chunksDone()
          && progress.messagesFetched() == other.progress.messagesFetched()
          && progress.messagesExtracted() == other.progress.messagesExtracted()
          && progress.hasMore() == other.progress.hasMore();
    }
  }

  /** Ends the stream after the final event; never sent. */
  private static final ProgressEvent END = new ProgressEvent("", "", null, null, null);

  private final Caller caller;
  private final BackfillStatusAssembler statuses;
  private final GatewayConfig config;
  private final EventStreamLimits limits;

  BackfillEventsResource(
      Caller caller,
      BackfillStatusAssembler statuses,
      GatewayConfig config,
      EventStreamLimits limits) {
    this.caller = caller;
    this.statuses = statuses;
    this.config = config;
    this.limits = limits;
  }

  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  // Blocking: authentication and the first read use the database on this (worker) thread.
  @Blocking
  @Operation(
      operationId = "streamBackfillEvents",
      summary = "Live progress of a job as Server-Sent Events, until the job ends")
  @APIResponse(
      responseCode = "200",
      description = "A stream of progress events",
      content =
          @Content(
              mediaType = MediaType.SERVER_SENT_EVENTS,
              schema = @Schema(implementation = ProgressEvent.class)))
  @APIResponse(
      responseCode = "429",
      description = "The tenant has its most event streams open (Retry-After)")
  @APIResponse(responseCode = "404", description = "No such job for this tenant")
  public Multi<ProgressEvent> events(@PathParam("jobId") String jobId) {
    String tenantId = caller.tenantId();
    UUID id;
    try {
      id = UUID.fromString(new JobId(jobId).value());
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
          Problem.of("invalid-job-id", "Invalid job id", 400, e.getMessage()));
    }
    if (statuses.status(tenantId, id).isEmpty()) {
      throw new ProblemException(
          Problem.of(
              "backfill-not-found",
              "Backfill not found",
              404,
              "No such backfill job is known to the gateway for this tenant."));
    }
    return limits.guard(tenantId, caller.keyId(), progress(tenantId, id));
  }

  private Multi<ProgressEvent> progress(String tenantId, UUID id) {
    ProgressEvent[] last = new ProgressEvent[1];
    return Multi.createFrom()
        .ticks()
        .every(config.readModel().eventsPollInterval())
        .emitOn(Infrastructure.getDefaultWorkerPool())
        .map(tick -> read(tenantId, id))
        .select()
        .where(
            event -> {
              boolean changed = event != null && !event.sameAs(last[0]);
              if (changed) {
                last[0] = event;
              }
              return changed;
            })
        .onItem()
        .transformToMultiAndConcatenate(
            event ->
                event.ended()
                    ? Multi.createFrom().items(event, END)
                    : Multi.createFrom().item(event))
        .select()
        .first(event -> event != END);
  }

  private ProgressEvent read(String tenantId, UUID jobId) {
    return statuses
        .status(tenantId, jobId)
        .map(
            s ->
                new ProgressEvent(
                    s.jobId().toString(), s.status(), s.reason(), s.progress(), Instant.now()))
        .orElse(null);
  }
}
