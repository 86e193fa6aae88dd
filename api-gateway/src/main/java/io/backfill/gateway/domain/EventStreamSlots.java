package io.backfill.gateway.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Open event streams per tenant on this instance, at most {@code maxPerTenant} each. A tenant's
 * entry exists only while it holds a stream, so the map is bounded by the streams actually open.
 */
public final class EventStreamSlots {

  /** One open stream's place; releasing it more than once frees it once. */
  public final class Slot {
    private final String tenantId;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(String tenantId) {
      this.tenantId = tenantId;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        free(tenantId);
      }
    }
  }

  private final int maxPerTenant;
  private final Map<String, Integer> open = new HashMap<>();

  public EventStreamSlots(int maxPerTenant) {
    if (maxPerTenant < 1) {
      throw new IllegalArgumentException("maxPerTenant must be at least 1, was " + maxPerTenant);
    }
    this.maxPerTenant = maxPerTenant;
  }

  /** A slot for one more stream of the tenant, or empty when it holds the most it may. */
  public synchronized Optional<Slot> tryOpen(String tenantId) {
    int streams = open.getOrDefault(tenantId, 0);
    if (streams >= maxPerTenant) {
      return Optional.empty();
    }
    open.put(tenantId, streams + 1);
    return Optional.of(new Slot(tenantId));
  }

  /** Streams the tenant holds open now. */
  public synchronized int openStreams(String tenantId) {
    return open.getOrDefault(tenantId, 0);
  }

  private synchronized void free(String tenantId) {
    open.computeIfPresent(tenantId, (tenant, streams) -> streams > 1 ? streams - 1 : null);
  }
}
