package io.backfill.fetcher.domain;

import io.backfill.kit.attempt.StopReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The fetch lane's counters: {@code backfill_fetcher_pages_published_total}, {@code
 * backfill_fetcher_messages_published_total}, {@code backfill_fetcher_heartbeats_total{outcome}}
 * (sent, failed) and {@code backfill_fetcher_attempts_total{outcome}}.
 */
@ApplicationScoped
public class FetchMetrics {

  public static final String PAGES = "backfill_fetcher_pages_published_total";
  public static final String MESSAGES = "backfill_fetcher_messages_published_total";
  public static final String HEARTBEATS = "backfill_fetcher_heartbeats_total";
  public static final String ATTEMPTS = "backfill_fetcher_attempts_total";

  private final MeterRegistry registry;
  private final Counter pages;
  private final Counter messages;
  private final Counter heartbeatsSent;
  private final Counter heartbeatsFailed;

  FetchMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.pages = registry.counter(PAGES);
    this.messages = registry.counter(MESSAGES);
    this.heartbeatsSent = registry.counter(HEARTBEATS, "outcome", "sent");
    this.heartbeatsFailed = registry.counter(HEARTBEATS, "outcome", "failed");
    for (String outcome : new String[] {"completed", "failed", "retryable_failed"}) {
      registry.counter(ATTEMPTS, "outcome", outcome);
    }
    for (StopReason reason : StopReason.values()) {
      // Fetch attempts have no hard deadline: the ledger's overdue rule bounds them.
      if (reason != StopReason.DEADLINE) {
        registry.counter(ATTEMPTS, "outcome", reason.tag());
      }
    }
  }

  public void published(int messageCount) {
    pages.increment();
    messages.increment(messageCount);
  }

  public void heartbeat(boolean sent) {
    (sent ? heartbeatsSent : heartbeatsFailed).increment();
  }

  /** How an attempt ended: completed, failed, retryable_failed, or a {@link StopReason} tag. */
  public void attemptEnded(String outcome) {
    registry.counter(ATTEMPTS, "outcome", outcome).increment();
  }
}
