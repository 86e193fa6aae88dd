package io.backfill.gateway.api;

import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.ops.ConsumerLag;
import io.backfill.gateway.ops.Fleet;
import io.backfill.kit.version.VersionResource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/** Operators' views: consumer lag and the fleet's versions. Admin token only (403 for tenants). */
@Tag(name = ApiTags.OPERATIONS)
@Path("/api/v1/ops")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = GatewayOpenApi.ADMIN_TOKEN)
public class OpsResource {

  private static final Logger LOG = Logger.getLogger(OpsResource.class);

  /** Lag of every consumer group. */
  public record LagReport(List<ConsumerLag.GroupLag> groups) {}

  private final Caller caller;
  private final ConsumerLag lag;
  private final Fleet fleet;
  private final VersionResource version;

  OpsResource(Caller caller, ConsumerLag lag, Fleet fleet, VersionResource version) {
    this.caller = caller;
    this.lag = lag;
    this.fleet = fleet;
    this.version = version;
  }

  @GET
  @Path("/lag")
  @Operation(
      operationId = "getConsumerLag",
      summary = "Lag per consumer group, topic and partition, read from the broker now")
  @APIResponse(
      responseCode = "200",
      description = "The lag",
      content = @Content(schema = @Schema(implementation = LagReport.class)))
  @APIResponse(responseCode = "503", description = "The broker did not answer")
  public LagReport lag(@QueryParam("group") String group) {
    caller.requireAdmin();
    List<ConsumerLag.GroupLag> groups;
    try {
      groups = lag.current();
    } catch (IllegalStateException e) {
      LOG.errorf(e, "lag request failed: %s", e.getMessage());
      throw new ProblemException(
          Problem.of(
              "broker-unavailable", "Lag unavailable", 503, "The broker did not answer in time."));
    }
    return new LagReport(
        group == null ? groups : groups.stream().filter(g -> g.group().equals(group)).toList());
  }

  @GET
  @Path("/fleet")
  @Operation(
      operationId = "getFleet",
      summary = "Every service instance and worker seen, with build SHA and last seen",
      description =
          "mixedVersions is true when live instances of one service run different builds.")
  @APIResponse(
      responseCode = "200",
      description = "The fleet",
      content = @Content(schema = @Schema(implementation = Fleet.View.class)))
  public Fleet.View fleet() {
    caller.requireAdmin();
    return fleet.view(version.version());
  }
}
