package io.backfill.fetcher.graph;

/** The connection source (the gateway) did not answer or answered an error: worth retrying. */
public class GraphConnectionUnavailable extends RuntimeException {

  public GraphConnectionUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
