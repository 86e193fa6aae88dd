package io.backfill.gateway.api;

import io.backfill.contracts.id.JobId;
import io.backfill.gateway.persistence.JobView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Backfill jobs, read side. No authentication yet: the gateway issue adds API keys and scopes every
 * read to the caller's tenant (another tenant's job is then a 404).
 */
@Path("/api/v1/backfills")
public class BackfillResource {

  @GET
  @Path("/{jobId}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "The status of one backfill job, as projected from job.events")
  @APIResponse(responseCode = "200", description = "The job's status")
  @APIResponse(
      responseCode = "400",
      description = "The job id is not a lower-case canonical UUID",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "404",
      description = "No such job",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public BackfillStatus status(@PathParam("jobId") String jobId) {
    UUID id = parse(jobId);
    JobView view = JobView.findById(id);
    if (view == null) {
      throw new ProblemException(
          Problem.of(
              "backfill-not-found",
              "Backfill not found",
              404,
              "No backfill job " + jobId + " is known to the gateway."));
    }
    return BackfillStatus.of(view);
  }

  private static UUID parse(String jobId) {
    try {
      return UUID.fromString(new JobId(jobId).value());
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
          Problem.of("invalid-job-id", "Invalid job id", 400, e.getMessage()));
    }
  }
}
