package io.backfill.gateway.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Documents 429 {@code rate-limited} with {@code Retry-After} on every authenticated operation:
 * failed-authentication limits apply to all of them, whichever resource declares the operation.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class RateLimitedOpenApi implements OASFilter {

  private static final String TOO_MANY_REQUESTS = "429";

  @Override
  public void filterOpenAPI(OpenAPI openApi) {
    if (openApi.getPaths() == null || openApi.getPaths().getPathItems() == null) {
      return;
    }
    openApi
        .getPaths()
        .getPathItems()
        .forEach(
            (path, item) -> {
              if (path.startsWith("/api/") || path.startsWith("/internal/")) {
                item.getOperations().values().forEach(RateLimitedOpenApi::addTooManyRequests);
              }
            });
  }

  private static void addTooManyRequests(Operation operation) {
    APIResponses responses = operation.getResponses();
    if (responses == null || responses.hasAPIResponse(TOO_MANY_REQUESTS)) {
      return;
    }
    responses.addAPIResponse(TOO_MANY_REQUESTS, tooManyRequests());
  }

  private static APIResponse tooManyRequests() {
    return OASFactory.createAPIResponse()
        .description(
            "Over a limit (tenant rate, failed authentications from this address or key prefix)")
        .addHeader(
            "Retry-After",
            OASFactory.createHeader()
                .description("Whole seconds, at least 1, before trying again")
                .schema(OASFactory.createSchema().addType(SchemaType.INTEGER)))
        .content(
            OASFactory.createContent()
                .addMediaType(
                    Problem.MEDIA_TYPE,
                    OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Problem"))));
  }
}
