package io.backfill.cli.gateway;

import io.backfill.cli.ExitCodes;

/**
 * A gateway call that did not succeed: the gateway could not be reached or did not answer in time,
 * or it answered with an error. {@link #exitCode()} is what the command exits with.
 */
public final class GatewayException extends RuntimeException {

  private final transient Problem problem;
  private final String url;

  private GatewayException(String message, String url, Problem problem, Throwable cause) {
    super(message, cause);
    this.url = url;
    this.problem = problem;
  }

  /** No answer: connection refused, DNS, TLS, or no response within the timeout. */
  static GatewayException unreachable(String url, String why, Throwable cause) {
    return new GatewayException("gateway unreachable at " + url + ": " + why, url, null, cause);
  }

  /** The gateway answered with a status that is not a success. */
  static GatewayException answered(String method, String url, Problem problem) {
    return new GatewayException(
        method + " " + url + " answered " + problem.summary(), url, problem, null);
  }

  /** The problem the gateway answered with, or null when it did not answer. */
  public Problem problem() {
    return problem;
  }

  public String url() {
    return url;
  }

  /** The HTTP status, or 0 when the gateway did not answer. */
  public int status() {
    return problem == null ? 0 : problem.status();
  }

  /** What a script sees: see {@link ExitCodes}. */
  public int exitCode() {
    int status = status();
    if (status == 0 || status >= 500) {
      return ExitCodes.GATEWAY_UNAVAILABLE;
    }
    return switch (status) {
      case 401, 403 -> ExitCodes.NOT_ALLOWED;
      case 404 -> ExitCodes.NOT_FOUND;
      case 409 -> ExitCodes.CONFLICT;
      default -> ExitCodes.REJECTED;
    };
  }
}
