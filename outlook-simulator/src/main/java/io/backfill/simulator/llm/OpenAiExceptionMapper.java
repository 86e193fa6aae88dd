package io.backfill.simulator.llm;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Renders {@link OpenAiException} as OpenAI does. */
public class OpenAiExceptionMapper {

  @ServerExceptionMapper
  public Response toResponse(OpenAiException e) {
    return render(e);
  }

  public static Response render(OpenAiException e) {
    // LinkedHashMap: null values (param, code) must be written, as OpenAI writes them.
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", e.getMessage());
    error.put("type", e.type());
    error.put("param", e.param());
    error.put("code", e.code());
    Map<String, Object> body = new HashMap<>();
    body.put("error", error);
    Response.ResponseBuilder response =
        Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(body);
    e.headers().forEach(response::header);
    return response.build();
  }
}
