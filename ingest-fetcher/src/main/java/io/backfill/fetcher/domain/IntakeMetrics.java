package io.backfill.fetcher.domain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code backfill_fetcher_requests_total{outcome}}: one count per record taken. Created at start-up
 * (an application-scoped bean is otherwise made on first use) so every outcome is exported at 0
 * before the first request arrives.
 */
@ApplicationScoped
@Startup
public class IntakeMetrics {

  public static final String REQUESTS = "backfill_fetcher_requests_total";

  private final Map<IntakeOutcome, Counter> counters = new EnumMap<>(IntakeOutcome.class);

  IntakeMetrics(MeterRegistry registry) {
    // Created up front so dashboards see every outcome at 0 rather than no series.
    for (IntakeOutcome outcome : IntakeOutcome.values()) {
      counters.put(outcome, registry.counter(REQUESTS, "outcome", outcome.tag()));
    }
  }

  public void count(IntakeOutcome outcome) {
    counters.get(outcome).increment();
  }
}
