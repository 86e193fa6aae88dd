package io.backfill.fetcher.graph;

/**
 * Graph answered 410 Gone to a delta or next link: the sync state expired or is invalid, and the
 * folder must be listed afresh.
 */
public class GraphSyncStateExpired extends RuntimeException {

  public GraphSyncStateExpired(String message) {
    super("Graph answered 410: " + message);
  }
}
