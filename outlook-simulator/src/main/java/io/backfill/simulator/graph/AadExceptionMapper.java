package io.backfill.simulator.graph;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Renders {@link AadException} as the token endpoint does. */
public class AadExceptionMapper {

  @ServerExceptionMapper
  public Response toResponse(AadException e) {
    String trace = UUID.randomUUID().toString();
    String correlation = UUID.randomUUID().toString();
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", e.error());
    body.put(
        "error_description",
        "AADSTS"
            + e.aadstsCode()
            + ": "
            + e.getMessage()
            + " Trace ID: "
            + trace
            + " Correlation ID: "
            + correlation
            + " Timestamp: "
            + now);
    body.put("error_codes", List.of(e.aadstsCode()));
    body.put("timestamp", now);
    body.put("trace_id", trace);
    body.put("correlation_id", correlation);
    body.put("error_uri", "https://login.microsoftonline.com/error?code=" + e.aadstsCode());
    return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(body).build();
  }
}
