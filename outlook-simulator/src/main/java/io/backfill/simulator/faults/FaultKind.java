package io.backfill.simulator.faults;

import java.util.Locale;

/** What an injected fault does. Names as written in config and the admin API. */
public enum FaultKind {
  /** 429 with Retry-After. */
  THROTTLE(Surface.BOTH),
  /** 503 Service Unavailable. */
  UNAVAILABLE(Surface.BOTH),
  /** 504 Gateway Timeout. */
  GATEWAY_TIMEOUT(Surface.BOTH),
  /** 500 Internal Server Error. */
  SERVER_ERROR(Surface.BOTH),
  /** Answers correctly, but only after the rule's latency (plus up to its jitter). */
  LATENCY(Surface.BOTH),
  /** Never answers: the client's read timeout is all that ends the call. */
  HANG(Surface.BOTH),
  /** Closes the connection without an answer. */
  RESET(Surface.BOTH),
  /** Revokes the caller's token and answers 401 InvalidAuthenticationToken. */
  REVOKE_TOKEN(Surface.GRAPH),
  /**
   * 400 to a well-formed request, with the rule's Graph error code and message: a refusal that no
   * retry can fix.
   */
  BAD_REQUEST(Surface.GRAPH),
  /** A completion whose content is the empty string. */
  EMPTY_CONTENT(Surface.LLM),
  /** A completion whose content is null. */
  NULL_CONTENT(Surface.LLM),
  /** The JSON answer wrapped in a markdown code fence. */
  FENCED_JSON(Surface.LLM),
  /** The JSON answer cut off half-way, finish_reason "length". */
  TRUNCATED_JSON(Surface.LLM),
  /** Well-formed JSON that does not follow the requested schema. */
  SCHEMA_VIOLATION(Surface.LLM);

  /** Which simulated service a fault applies to. */
  public enum Surface {
    GRAPH,
    LLM,
    BOTH
  }

  private final Surface surface;

  FaultKind(Surface surface) {
    this.surface = surface;
  }

  public boolean appliesTo(Surface to) {
    return surface == Surface.BOTH || surface == to;
  }

  /** The kebab-case name used in config and JSON, e.g. {@code null-content}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static FaultKind fromLabel(String label) {
    try {
      return valueOf(label.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown fault kind '" + label + "'", e);
    }
  }
}
