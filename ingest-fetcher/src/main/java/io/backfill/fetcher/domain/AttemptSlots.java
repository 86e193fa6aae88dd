package io.backfill.fetcher.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The process's fetch-attempt slots, shared fairly between tenants. Jobs waiting for a slot are not
 * held here: they wait in the database as queued {@code pending} jobs, and a free slot claims the
 * next one. This only says which tenants are at their share ({@code perTenant} slots) so the claim
 * passes over their jobs while another tenant's job waits; a tenant alone may use every slot.
 * Thread-safe.
 */
final class AttemptSlots {

  private final int slots;
  private final int perTenant;
  private int inUse;
  private final Map<String, Integer> inUseByTenant = new HashMap<>();

  AttemptSlots(int slots, int perTenant) {
    if (slots < 1 || perTenant < 1) {
      throw new IllegalArgumentException("slots and perTenant must be at least 1");
    }
    this.slots = slots;
    this.perTenant = Math.min(perTenant, slots);
  }

  /** True when a slot is free. */
  synchronized boolean hasFree() {
    return inUse < slots;
  }

  /** Tenants holding their share or more: their jobs are claimed only when no other job waits. */
  synchronized Set<String> atShare() {
    return inUseByTenant.entrySet().stream()
        .filter(e -> e.getValue() >= perTenant)
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  /** Takes a slot for the tenant; false when none is free. */
  synchronized boolean take(String tenantId) {
    if (inUse >= slots) {
      return false;
    }
    inUse++;
    inUseByTenant.merge(tenantId, 1, Integer::sum);
    return true;
  }

  /** Frees a slot of the tenant. */
  synchronized void release(String tenantId) {
    int held = inUseByTenant.getOrDefault(tenantId, 0);
    if (held <= 0) {
      throw new IllegalStateException("tenant " + tenantId + " holds no slot to release");
    }
    if (held == 1) {
      inUseByTenant.remove(tenantId);
    } else {
      inUseByTenant.put(tenantId, held - 1);
    }
    inUse--;
  }

  synchronized int inUse() {
    return inUse;
  }

  synchronized int inUse(String tenantId) {
    return inUseByTenant.getOrDefault(tenantId, 0);
  }
}
