package io.backfill.fetcher.graph;

/**
 * Graph refused the request in a way that retrying cannot fix (400, 403, 404, a second 401): the
 * attempt fails as non-retryable and the job shows Graph's own code and message.
 */
public class GraphRequestRejected extends RuntimeException {

  private final int status;
  private final String code;
  private final String graphMessage;

  public GraphRequestRejected(int status, String code, String graphMessage) {
    super("Graph answered " + status + " " + code + ": " + graphMessage);
    this.status = status;
    this.code = code;
    this.graphMessage = graphMessage;
  }

  public int status() {
    return status;
  }

  /** Graph's error code, e.g. {@code BadRequest} or {@code ErrorItemNotFound}. */
  public String code() {
    return code;
  }

  public String graphMessage() {
    return graphMessage;
  }
}
