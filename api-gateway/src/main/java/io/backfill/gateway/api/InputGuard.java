package io.backfill.gateway.api;

import io.backfill.gateway.domain.LogText;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks the path and the query of every request before it is matched, authenticated or used: a
 * path segment or a query parameter with a control character, an unpaired surrogate, undecodable
 * percent-encoding or an overlong value is a 400 problem naming it, so no such text reaches the
 * database, a log line or a response. Runs before authentication: the answer says nothing about any
 * tenant.
 */
public class InputGuard {

  private static final Logger LOG = Logger.getLogger(InputGuard.class);

  /** Longer than any id, name or cursor the gateway issues or accepts. */
  static final int MAX_SEGMENT_CHARS = 512;

  static final int MAX_QUERY_VALUE_CHARS = 1024;

  static final int MAX_QUERY_PARAMETERS = 32;

  private final MeterRegistry metrics;

  InputGuard(MeterRegistry metrics) {
    this.metrics = metrics;
  }

  @ServerRequestFilter(preMatching = true)
  public void check(ContainerRequestContext request) {
    String path;
    MultivaluedMap<String, String> query;
    try {
      path = request.getUriInfo().getPath(true);
      query = request.getUriInfo().getQueryParameters(true);
    } catch (RuntimeException e) {
      throw refused(request, "path", "is not valid percent-encoded UTF-8");
    }
    for (String segment : path.split("/", -1)) {
      String problem = InputText.problem(segment, MAX_SEGMENT_CHARS);
      if (problem != null) {
        throw refused(request, "path", "a segment " + problem);
      }
    }
    if (query.size() > MAX_QUERY_PARAMETERS) {
      throw refused(request, "query", "at most " + MAX_QUERY_PARAMETERS + " parameters");
    }
    for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
      String name = parameter.getKey();
      String problem = InputText.problem(name, 64);
      for (String value : parameter.getValue()) {
        if (problem == null) {
          problem = InputText.problem(value, MAX_QUERY_VALUE_CHARS);
        }
      }
      if (problem != null) {
        throw refused(request, InputText.problem(name, 64) == null ? name : "query", problem);
      }
    }
  }

  private ProblemException refused(ContainerRequestContext request, String field, String message) {
    metrics
        .counter(
            "backfill_gateway_inputs_refused_total",
            "part",
            field.equals("path") ? "path" : "query")
        .increment();
    LOG.infof(
        "refused %s %s: %s %s",
        request.getMethod(),
        LogText.of(request.getUriInfo().getRequestUri().getRawPath()),
        LogText.of(field),
        message);
    return new ProblemException(
        Problem.invalid(
            "invalid-input",
            "The request's path or query is invalid.",
            List.of(new Problem.FieldError(field, message))));
  }
}
