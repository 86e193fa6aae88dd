package io.backfill.fetcher.graph;

/**
 * Graph kept answering 429/5xx, timing out or dropping the connection after every allowed retry of
 * one page request: the attempt fails as retryable, and the ledger's retry resumes it from the
 * checkpoint later.
 */
public class GraphUnavailable extends RuntimeException {

  public GraphUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
