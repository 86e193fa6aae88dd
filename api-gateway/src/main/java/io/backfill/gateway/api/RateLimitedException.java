package io.backfill.gateway.api;

/**
 * Ends a request with 429 {@code rate-limited}; {@link RateLimitedMapper} adds {@code Retry-After}
 * with {@link #retryAfterSeconds()}.
 */
public class RateLimitedException extends ProblemException {

  private static final long serialVersionUID = 1L;

  private final long retryAfterSeconds;

  public RateLimitedException(String detail, long retryAfterSeconds) {
    super(Problem.of("rate-limited", "Too many requests", 429, detail));
    // Retry-After 0 would invite an immediate retry that is refused again.
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
