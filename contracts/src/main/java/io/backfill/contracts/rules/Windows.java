package io.backfill.contracts.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The time window [from, to) a backfill request may ask for: from strictly before to, and no longer
 * than {@link #MAX} (five years of mail). One rule for the gateway and the fetcher, so no request
 * is accepted by one and refused by the other.
 */
public final class Windows {

  /** The longest window: five years (1826 days), what a tenant's history backfill asks for. */
  public static final Duration MAX = Duration.ofDays(1826);

  private Windows() {}

  /** Why [from, to) is not a window a request may ask for; empty when it is. */
  public static Optional<String> problemWith(Instant from, Instant to) {
    if (from == null || to == null) {
      return Optional.of("window needs both 'from' and 'to'");
    }
    if (!from.isBefore(to)) {
      return Optional.of(
          "window from " + from + " is not before to " + to + ": 'from' must be earlier than 'to'");
    }
    Duration window = Duration.between(from, to);
    if (window.compareTo(MAX) > 0) {
      return Optional.of(
          "window from "
              + from
              + " to "
              + to
              + " spans "
              + window.toDays()
              + " days, more than the maximum of "
              + MAX.toDays()
              + " days");
    }
    return Optional.empty();
  }
}
