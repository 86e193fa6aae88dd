package io.backfill.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Answers a request whose declared body is over {@code quarkus.http.limits.max-body-size} with a
 * 413 problem before anything reads it. Vert.x would refuse it too, but with an empty body; this
 * route runs just before that check (order -3 against its -2) so clients get the usual problem.
 */
@ApplicationScoped
public class BodyLimit {

  private static final Logger LOG = Logger.getLogger(BodyLimit.class);

  /** One before Quarkus' own upload-limit route. */
  static final int ROUTE_ORDER = -3;

  private final Optional<MemorySize> maxBodySize;
  private final MeterRegistry metrics;
  private final String problem;

  BodyLimit(
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize,
      MeterRegistry metrics,
      ObjectMapper json)
      throws JsonProcessingException {
    this.maxBodySize = maxBodySize;
    this.metrics = metrics;
    this.problem =
        json.writeValueAsString(
            Problem.of(
                "body-too-large",
                "Body too large",
                413,
                "The request body is over "
                    + maxBodySize.map(MemorySize::asLongValue).orElse(0L)
                    + " bytes."));
  }

  void install(@Observes Router router) {
    if (maxBodySize.isEmpty()) {
      return;
    }
    long limit = maxBodySize.get().asLongValue();
    router.route().order(ROUTE_ORDER).handler(context -> check(context, limit));
  }

  private void check(RoutingContext context, long limit) {
    String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    long length;
    try {
      length = declared == null ? -1 : Long.parseLong(declared.trim());
    } catch (NumberFormatException e) {
      length = -1;
    }
    if (length <= limit) {
      context.next();
      return;
    }
    metrics.counter("backfill_gateway_inputs_refused_total", "part", "body_size").increment();
    LOG.infof(
        "refused %s with a %d-byte body (limit %d)", context.request().method(), length, limit);
    context
        .response()
        .setStatusCode(413)
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        // The unread body would otherwise be taken for the next request on this connection.
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(problem);
  }
}
