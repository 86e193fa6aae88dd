package io.backfill.simulator.faults;

import java.time.Duration;
import java.util.Locale;

/**
 * One fault to inject.
 *
 * @param target a mailbox address, a model name, or {@code *} for every call of the kind's surface
 * @param probability chance that a matching call is hit (1 = every call)
 * @param times how many calls to hit before the rule is spent; 0 means no limit
 * @param latency delay before answering (for {@code latency}, and before any other fault)
 * @param jitter up to this much extra delay, drawn uniformly
 * @param retryAfterSeconds the Retry-After of a 429 or 503
 * @param errorCode Graph's error code of a {@code bad-request} (default {@link
 *     #DEFAULT_ERROR_CODE})
 * @param errorMessage Graph's error message of a {@code bad-request} (default {@link
 *     #DEFAULT_ERROR_MESSAGE})
 */
public record FaultRule(
    String target,
    FaultKind kind,
    double probability,
    int times,
    Duration latency,
    Duration jitter,
    int retryAfterSeconds,
    String errorCode,
    String errorMessage) {

  public static final String DEFAULT_ERROR_CODE = "ErrorInvalidRequest";
  public static final String DEFAULT_ERROR_MESSAGE =
      "The request is invalid and cannot be served for this mailbox.";

  /** A rule without an error code or message of its own (every kind but {@code bad-request}). */
  public FaultRule(
      String target,
      FaultKind kind,
      double probability,
      int times,
      Duration latency,
      Duration jitter,
      int retryAfterSeconds) {
    this(target, kind, probability, times, latency, jitter, retryAfterSeconds, null, null);
  }

  public FaultRule {
    if (target == null || target.isBlank()) {
      throw new IllegalArgumentException("a fault needs a target (mailbox, model or *)");
    }
    if (kind == null) {
      throw new IllegalArgumentException("a fault needs a kind");
    }
    if (probability < 0 || probability > 1) {
      throw new IllegalArgumentException("probability must be from 0 to 1: " + probability);
    }
    target = target.trim().toLowerCase(Locale.ROOT);
    latency = latency == null ? Duration.ZERO : latency;
    jitter = jitter == null ? Duration.ZERO : jitter;
    retryAfterSeconds = retryAfterSeconds <= 0 ? 1 : retryAfterSeconds;
    if (kind == FaultKind.BAD_REQUEST) {
      errorCode = blank(errorCode) ? DEFAULT_ERROR_CODE : errorCode.trim();
      errorMessage = blank(errorMessage) ? DEFAULT_ERROR_MESSAGE : errorMessage.trim();
    } else if (!blank(errorCode) || !blank(errorMessage)) {
      // A code or message on any other kind would be silently ignored: say so instead.
      throw new IllegalArgumentException(
          "code and message are options of bad-request only, not of " + kind.label());
    } else {
      errorCode = null;
      errorMessage = null;
    }
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  /**
   * Parses {@code target:kind[;key=value]*}, keys {@code probability}, {@code times}, {@code
   * latency} and {@code jitter} (ISO-8601 or e.g. {@code 250ms}, {@code 2s}) and {@code
   * retry-after} (seconds), and for {@code bad-request} {@code code} and {@code message} (no {@code
   * ,} or {@code ;} in them). Example: {@code alice@contoso.com:throttle;probability=0.2}.
   */
  public static FaultRule parse(String text) {
    String[] parts = text.trim().split(";");
    int colon = parts[0].lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected target:kind in fault '" + text + "'");
    }
    String target = parts[0].substring(0, colon);
    FaultKind kind = FaultKind.fromLabel(parts[0].substring(colon + 1));
    double probability = 1;
    int times = 0;
    Duration latency = Duration.ZERO;
    Duration jitter = Duration.ZERO;
    int retryAfter = 1;
    String code = null;
    String message = null;
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("expected key=value in fault '" + text + "'");
      }
      String value = kv[1].trim();
      switch (kv[0].trim()) {
        case "probability" -> probability = Double.parseDouble(value);
        case "times" -> times = Integer.parseInt(value);
        case "latency" -> latency = duration(value);
        case "jitter" -> jitter = duration(value);
        case "retry-after" -> retryAfter = Integer.parseInt(value);
        case "code" -> code = value;
        case "message" -> message = value;
        default ->
            throw new IllegalArgumentException(
                "unknown fault option '" + kv[0] + "' in '" + text + "'");
      }
    }
    return new FaultRule(
        target, kind, probability, times, latency, jitter, retryAfter, code, message);
  }

  static Duration duration(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    if (v.startsWith("p")) {
      return Duration.parse(value);
    }
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    if (v.endsWith("s")) {
      return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
    }
    return Duration.ofMillis(Long.parseLong(v));
  }
}
