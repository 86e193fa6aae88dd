package io.backfill.gateway.api;

import io.backfill.gateway.domain.LogText;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
    URI raw = request.getUriInfo().getRequestUri();
    if (!strictUtf8(raw.getRawPath())) {
      throw refused(request, "path", "is not valid percent-encoded UTF-8");
    }
    if (!strictUtf8(raw.getRawQuery())) {
      throw refused(request, "query", "is not valid percent-encoded UTF-8");
    }
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
    if (query.values().stream().mapToInt(List::size).sum() > MAX_QUERY_PARAMETERS) {
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

  /**
   * Whether the percent-encoded text decodes to well-formed UTF-8. The framework's decoder would
   * replace a malformed sequence (such as an encoded lone surrogate) silently; this refuses it.
   */
  static boolean strictUtf8(String rawText) {
    if (rawText == null || rawText.indexOf('%') < 0) {
      return true;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawText.length());
    for (int i = 0; i < rawText.length(); i++) {
      char c = rawText.charAt(i);
      if (c == '%') {
        if (i + 2 >= rawText.length()) {
          return false;
        }
        int high = Character.digit(rawText.charAt(i + 1), 16);
        int low = Character.digit(rawText.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return false;
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()));
      return true;
    } catch (CharacterCodingException e) {
      return false;
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
