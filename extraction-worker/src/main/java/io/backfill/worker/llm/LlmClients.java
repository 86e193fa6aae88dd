package io.backfill.worker.llm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * LLM clients by tenant, at most {@code capacity} of them: the least recently used is dropped
 * beyond that, and a tenant's client is replaced when its base URL changes. A dropped client is
 * closed once no chunk holds it any more ({@link Lease}), so a chunk never loses its client
 * mid-call and no client (with its connection pool) is left open.
 *
 * @param <C> the client type
 */
public final class LlmClients<C> {

  private final int capacity;
  private final Function<String, C> build;
  private final Consumer<C> close;
  private final LinkedHashMap<String, Entry> byTenant;

  /** One client for one base URL, and how many chunks hold it. */
  private final class Entry {
    final String baseUrl;
    final C client;
    int holders;
    boolean dropped;

    Entry(String baseUrl, C client) {
      this.baseUrl = baseUrl;
      this.client = client;
    }
  }

  /** A chunk's hold on a client: the client stays open until every lease on it is closed. */
  public final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean closed;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    public C client() {
      return entry.client;
    }

    @Override
    public void close() {
      synchronized (LlmClients.this) {
        if (closed) {
          return;
        }
        closed = true;
        entry.holders--;
        closeIfUnused(entry);
      }
    }
  }

  public LlmClients(int capacity, Function<String, C> build, Consumer<C> close) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    this.build = build;
    this.close = close;
    this.byTenant = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** The tenant's client for this base URL, built (or rebuilt after a change) when needed. */
  public synchronized Lease lease(String tenantId, String baseUrl) {
    Entry entry = byTenant.get(tenantId);
    if (entry == null || !entry.baseUrl.equals(baseUrl)) {
      if (entry != null) {
        drop(entry);
      }
      entry = new Entry(baseUrl, build.apply(baseUrl));
      byTenant.put(tenantId, entry);
      evictBeyondCapacity();
    }
    entry.holders++;
    return new Lease(entry);
  }

  /** Clients currently kept (dropped ones still held by a chunk are not counted). */
  public synchronized int size() {
    return byTenant.size();
  }

  private void evictBeyondCapacity() {
    var eldest = byTenant.entrySet().iterator();
    while (byTenant.size() > capacity && eldest.hasNext()) {
      Map.Entry<String, Entry> oldest = eldest.next();
      eldest.remove();
      drop(oldest.getValue());
    }
  }

  private void drop(Entry entry) {
    entry.dropped = true;
    closeIfUnused(entry);
  }

  private void closeIfUnused(Entry entry) {
    if (entry.dropped && entry.holders == 0) {
      close.accept(entry.client);
    }
  }
}
