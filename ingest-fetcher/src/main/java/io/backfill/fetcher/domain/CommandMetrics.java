package io.backfill.fetcher.domain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;

/**
 * {@code backfill_fetcher_commands_ignored_total{reason}}: commands and run-control events that
 * changed nothing. Created at start-up so every reason is exported at 0.
 */
@ApplicationScoped
@Startup
public class CommandMetrics {

  public static final String IGNORED = "backfill_fetcher_commands_ignored_total";

  /** Why a command or run-control event was ignored; the {@code reason} tag. */
  public enum Ignored {
    /** It names a job of another tenant than its own {@code tenantId}. */
    TENANT_MISMATCH,
    /** No such job here. */
    UNKNOWN_JOB,
    /** The job is in no state the command applies to. */
    NOT_APPLICABLE;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;

  CommandMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Ignored reason : Ignored.values()) {
      counter(reason);
    }
  }

  public void ignored(Ignored reason) {
    counter(reason).increment();
  }

  private Counter counter(Ignored reason) {
    return Counter.builder(IGNORED)
        .description("Commands and run-control events that changed nothing, by reason")
        .tag("reason", reason.tag())
        .register(registry);
  }
}
