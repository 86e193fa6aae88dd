package io.backfill.simulator.graph;

import java.util.Locale;

/** What a directory's administrator answers on the admin-consent page. */
public enum ConsentDecision {
  APPROVE,
  DENY;

  /** {@code approve} or {@code deny}, any case; anything else is a bad request. */
  public static ConsentDecision fromLabel(String label) {
    if (label != null) {
      for (ConsentDecision d : values()) {
        if (d.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
          return d;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown consent decision '" + label + "': expected approve or deny");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
