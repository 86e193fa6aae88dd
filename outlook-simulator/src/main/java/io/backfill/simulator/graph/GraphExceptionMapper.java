package io.backfill.simulator.graph;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Renders {@link GraphException} as Graph does: {@code {"error":{code,message,innerError}}}. */
public class GraphExceptionMapper {

  @ServerExceptionMapper
  public Response toResponse(GraphException e) {
    return render(e);
  }

  /** The response for an error; also used where a filter answers before any resource runs. */
  public static Response render(GraphException e) {
    String requestId = UUID.randomUUID().toString();
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    inner.put("request-id", requestId);
    inner.put("client-request-id", requestId);
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    error.put("innerError", inner);
    Response.ResponseBuilder response =
        Response.status(e.status())
            .type(MediaType.APPLICATION_JSON)
            .header("request-id", requestId)
            .entity(Map.of("error", error));
    e.headers().forEach(response::header);
    return response.build();
  }
}
