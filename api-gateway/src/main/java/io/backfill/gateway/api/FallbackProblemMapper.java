package io.backfill.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.backfill.gateway.domain.LogText;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every exception no resource turned into a {@link Problem} still leaves as {@code
 * application/problem+json}: the framework's own 4xx (unsupported media type, not acceptable,
 * unreadable or mistyped JSON, body too large while reading) keep their status; anything else is a
 * 500 that names no input, logged once with the request's method and path and counted in {@code
 * backfill_gateway_unexpected_errors_total}.
 */
public class FallbackProblemMapper {

  private static final Logger LOG = Logger.getLogger(FallbackProblemMapper.class);

  private final MeterRegistry metrics;

  FallbackProblemMapper(MeterRegistry metrics) {
    this.metrics = metrics;
  }

  @ServerExceptionMapper
  public Response framework(WebApplicationException e, UriInfo uri) {
    int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
    if (status >= 500) {
      return unexpected(e, uri);
    }
    Response.StatusType known = Response.Status.fromStatusCode(status);
    String title = known == null ? "Request refused" : known.getReasonPhrase();
    return problem(
        Problem.of(
            title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'),
            title,
            status,
            "The gateway refused the request (" + status + " " + title + ")."));
  }

  @ServerExceptionMapper
  public Response unreadableJson(JsonProcessingException e) {
    // The parser's message quotes the body, so it is not echoed.
    return problem(
        Problem.invalid(
            "invalid-body",
            "The request body is invalid.",
            List.of(new Problem.FieldError("body", "not valid JSON of the expected shape"))));
  }

  @ServerExceptionMapper
  public Response mistypedJson(MismatchedInputException e) {
    String field =
        e.getPath().isEmpty() || e.getPath().get(0).getFieldName() == null
            ? "body"
            : e.getPath().get(0).getFieldName();
    return problem(
        Problem.invalid(
            "invalid-body",
            "The request body is invalid.",
            List.of(new Problem.FieldError(LogText.of(field), "missing or of the wrong type"))));
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e, UriInfo uri) {
    metrics.counter("backfill_gateway_unexpected_errors_total").increment();
    LOG.errorf(
        e, "unexpected failure of %s: %s", LogText.of(uri.getPath()), LogText.of(e.getMessage()));
    return problem(
        Problem.of(
            "internal-error",
            "Internal error",
            500,
            "The gateway failed to answer; the failure is logged."));
  }

  private static Response problem(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
  }
}
