package io.backfill.gateway.api;

import io.backfill.gateway.config.LimitsConfig;
import io.backfill.gateway.domain.ApiKeys;
import io.backfill.gateway.domain.EventStreamSlots;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Bounds Server-Sent Events streams: at most {@code max-per-tenant} open per tenant on this
 * instance (the next gets 429 {@code rate-limited}), and each open stream checks its API key every
 * {@code key-recheck-interval}, closing as soon as the key is revoked — a stream authenticated once
 * must not outlive its key.
 */
// Created at start-up, so a limit configured out of range stops the start, not a request.
@Startup
@ApplicationScoped
public class EventStreamLimits {

  private static final Logger LOG = Logger.getLogger(EventStreamLimits.class);

  /** When a stream ends is not known in advance; a client may try again this soon. */
  private static final long RETRY_AFTER_SECONDS = 10;

  /** An item of the guarded stream, or the signal that it ends. */
  private record Signal<T>(T item) {
    boolean ends() {
      return item == null;
    }
  }

  private final EventStreamSlots slots;
  private final LimitsConfig.EventStreams config;
  private final ApiKeys apiKeys;
  private final MeterRegistry metrics;

  EventStreamLimits(LimitsConfig limits, ApiKeys apiKeys, MeterRegistry metrics) {
    this.config = limits.eventStreams();
    this.slots = new EventStreamSlots(config.maxPerTenant());
    this.apiKeys = apiKeys;
    this.metrics = metrics;
  }

  /**
   * The tenant's stream, counted against its limit until it ends for any reason (completed, failed,
   * client gone, key revoked); 429 when the tenant already holds its most streams.
   */
  public <T> Multi<T> guard(String tenantId, UUID keyId, Multi<T> events) {
    EventStreamSlots.Slot slot =
        slots
            .tryOpen(tenantId)
            .orElseThrow(
                () -> {
                  metrics
                      .counter("backfill_gateway_rate_limited_total", "limit", "event_streams")
                      .increment();
                  return new RateLimitedException(
                      "This tenant already has "
                          + config.maxPerTenant()
                          + " event streams open; close one or retry later.",
                      RETRY_AFTER_SECONDS);
                });
    Multi<Signal<T>> items =
        events.map(item -> new Signal<T>(item)).onCompletion().continueWith(new Signal<T>(null));
    Multi<Signal<T>> keyGone =
        Multi.createFrom()
            .ticks()
            .every(config.keyRecheckInterval())
            .onOverflow()
            .drop()
            // The check reads the database: off the event loop.
            .emitOn(Infrastructure.getDefaultWorkerPool())
            .select()
            .where(tick -> !keyStillLive(tenantId, keyId))
            .map(tick -> new Signal<T>(null));
    return Multi.createBy()
        .merging()
        .streams(items, keyGone)
        .select()
        .first(signal -> !signal.ends())
        .map(Signal::item)
        .onTermination()
        .invoke(slot::release);
  }

  /** Open streams of the tenant on this instance. */
  public int openStreams(String tenantId) {
    return slots.openStreams(tenantId);
  }

  private boolean keyStillLive(String tenantId, UUID keyId) {
    try {
      if (apiKeys.isLive(keyId)) {
        return true;
      }
      LOG.infof(
          "closing an event stream of tenant %s: its API key %s was revoked", tenantId, keyId);
      metrics
          .counter("backfill_gateway_event_streams_closed_total", "reason", "key_revoked")
          .increment();
      return false;
    } catch (RuntimeException e) {
      // Unverifiable is treated as revoked: the client reconnects and is authenticated afresh.
      LOG.warnf(
          e,
          "closing an event stream of tenant %s: could not check its API key %s",
          tenantId,
          keyId);
      metrics
          .counter("backfill_gateway_event_streams_closed_total", "reason", "key_check_failed")
          .increment();
      return false;
    }
  }
}
