package io.backfill.gateway.domain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that keeps at most {@code maxSize} entries, forgetting the least recently used one when a
 * new key would pass that size: limits keyed by client-chosen values (addresses, key prefixes) stay
 * within bounded memory. Not thread-safe; its owners synchronise.
 */
final class RecentKeys<V> extends LinkedHashMap<String, V> {

  private static final long serialVersionUID = 1L;

  private final int maxSize;

  RecentKeys(int maxSize) {
    super(16, 0.75f, true);
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be at least 1, was " + maxSize);
    }
    this.maxSize = maxSize;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
    return size() > maxSize;
  }
}
