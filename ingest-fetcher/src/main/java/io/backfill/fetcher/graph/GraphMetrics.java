package io.backfill.fetcher.graph;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Graph traffic: {@code backfill_fetcher_graph_requests_total{status}}, {@code
 * backfill_fetcher_graph_retries_total{reason}} and {@code
 * backfill_fetcher_graph_backoff_seconds_total}.
 */
@ApplicationScoped
public class GraphMetrics {

  public static final String REQUESTS = "backfill_fetcher_graph_requests_total";
  public static final String RETRIES = "backfill_fetcher_graph_retries_total";
  public static final String BACKOFF = "backfill_fetcher_graph_backoff_seconds_total";

  private final MeterRegistry registry;
  private final Map<RetryReason, Counter> retries = new EnumMap<>(RetryReason.class);
  private final Counter backoffSeconds;

  GraphMetrics(MeterRegistry registry) {
    this.registry = registry;
    // Up front, so dashboards see every reason at 0 rather than no series.
    for (RetryReason reason : RetryReason.values()) {
      retries.put(reason, registry.counter(RETRIES, "reason", reason.tag()));
    }
    this.backoffSeconds = registry.counter(BACKOFF);
  }

  /** One request's outcome: the HTTP status, or {@code timeout} / {@code connection_error}. */
  public void request(String status) {
    registry.counter(REQUESTS, "status", status).increment();
  }

  public void retry(RetryReason reason, Duration wait) {
    retries.get(reason).increment();
    backoffSeconds.increment(wait.toMillis() / 1000.0);
  }
}
