package io.backfill.simulator.api.rest;

import io.backfill.simulator.graph.GraphException;
import io.backfill.simulator.graph.GraphExceptionMapper;
import io.backfill.simulator.llm.OpenAiException;
import io.backfill.simulator.llm.OpenAiExceptionMapper;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every other error still answers in the shape of the API that was called: OpenAI's under {@code
 * /v1/}, Graph's elsewhere. Never a stack-trace page.
 */
public class FallbackErrorMapper {

  private static final Logger LOG = Logger.getLogger(FallbackErrorMapper.class);

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e, UriInfo uri) {
    int status = e.getResponse().getStatus();
    String message = e.getMessage() == null ? "Request failed." : e.getMessage();
    return shaped(uri, status, status == 404 ? "NotFound" : "BadRequest", message);
  }

  @ServerExceptionMapper
  public Response badArgument(IllegalArgumentException e, UriInfo uri) {
    return shaped(uri, 400, "BadRequest", e.getMessage());
  }

  @ServerExceptionMapper
  public Response unexpected(Exception e, UriInfo uri) {
    LOG.error("unexpected error serving " + uri.getPath(), e);
    return shaped(uri, 500, "InternalServerError", "The simulator failed: " + e);
  }

  private static Response shaped(UriInfo uri, int status, String code, String message) {
    if (uri.getPath().startsWith("/v1/")) {
      String type = status >= 500 ? "server_error" : "invalid_request_error";
      return OpenAiExceptionMapper.render(new OpenAiException(status, message, type, null, null));
    }
    return GraphExceptionMapper.render(new GraphException(status, code, message));
  }
}
