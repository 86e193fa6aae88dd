package io.backfill.fetcher.config;

import io.backfill.contracts.event.Chunk;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * Refuses to start with a Graph page larger than a chunk may be: each page is published as one
 * chunk, so a page size above the contract's chunk limit would fail the first full page at run time
 * instead.
 */
@ApplicationScoped
public class PageSizeGuard {

  // Before the other start-up work (topics, slots), so the refusal is the first thing logged.
  void check(
      @Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event,
      GraphConfig graph) {
    check(graph.pageSize());
  }

  /** Throws, naming the setting and the limit, unless {@code pageSize} fits in one chunk. */
  public static void check(int pageSize) {
    if (pageSize < 1 || pageSize > Chunk.MAX_MESSAGES) {
      throw new IllegalStateException(
          "refusing to start: backfill.graph.page-size="
              + pageSize
              + " must be between 1 and the chunk limit Chunk.MAX_MESSAGES="
              + Chunk.MAX_MESSAGES
              + " (contracts), since each Graph page is published as one chunk");
    }
  }
}
