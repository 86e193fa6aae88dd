package io.backfill.gateway.api;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Writes every {@link ProblemException}, and the framework's own 404/405, as {@code
 * application/problem+json}. A ProblemException was logged (if it is a failure worth logging) where
 * it was raised.
 */
public class ProblemMapper {

  @ServerExceptionMapper
  public Response toResponse(ProblemException e) {
    Response.ResponseBuilder response =
        Response.status(e.problem().status()).type(Problem.MEDIA_TYPE).entity(e.problem());
    if (e.problem().status() == 401) {
      response.header("WWW-Authenticate", "Bearer");
    }
    return response.build();
  }

  @ServerExceptionMapper
  public Response notFound(NotFoundException e) {
    return toResponse(
        new ProblemException(
            Problem.of("not-found", "Not found", 404, "No such resource on this gateway.")));
  }

  @ServerExceptionMapper
  public Response notAllowed(NotAllowedException e) {
    return toResponse(
        new ProblemException(
            Problem.of(
                "method-not-allowed",
                "Method not allowed",
                405,
                "This resource does not support that method.")));
  }
}
