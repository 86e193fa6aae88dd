package io.backfill.gateway.api;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Writes a {@link RateLimitedException} as 429 problem+json with {@code Retry-After} in seconds.
 */
public class RateLimitedMapper {

  @ServerExceptionMapper
  public Response toResponse(RateLimitedException e) {
    return Response.status(429)
        .type(Problem.MEDIA_TYPE)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
        .entity(e.problem())
        .build();
  }
}
