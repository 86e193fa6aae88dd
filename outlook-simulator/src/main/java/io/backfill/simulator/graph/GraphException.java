package io.backfill.simulator.graph;

import java.util.Map;

/**
 * A Graph error response: status, Graph's error code and message, and extra headers (such as {@code
 * Retry-After}). Rendered once, by {@link GraphExceptionMapper}, in Graph's error shape.
 */
public class GraphException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final Map<String, String> headers;

  public GraphException(int status, String code, String message) {
    this(status, code, message, Map.of());
  }

  public GraphException(int status, String code, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.headers = Map.copyOf(headers);
  }

  public static GraphException badRequest(String message) {
    return new GraphException(400, "BadRequest", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
