package io.backfill.gateway.api;

import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Writes every {@link ProblemException} as {@code application/problem+json}. */
public class ProblemMapper {

  @ServerExceptionMapper
  public Response toResponse(ProblemException e) {
    return Response.status(e.problem().status())
        .type(Problem.MEDIA_TYPE)
        .entity(e.problem())
        .build();
  }
}
