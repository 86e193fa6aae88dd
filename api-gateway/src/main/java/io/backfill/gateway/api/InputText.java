package io.backfill.gateway.api;

import java.time.Instant;

/**
 * The rules every piece of caller text meets before the gateway uses it: no control characters
 * (PostgreSQL refuses NUL in text, and CR/LF would forge log lines), no unpaired surrogates (they
 * cannot be encoded as UTF-8 and would be stored as '?'), and a length limit. Dates must lie in
 * 1970-01-01..9999-12-31, which every store and every client can represent.
 */
public final class InputText {

  /** The earliest instant accepted from a caller. */
  static final Instant MIN_INSTANT = Instant.parse("1970-01-01T00:00:00Z");

  /** The first instant not accepted (the year 10000). */
  static final Instant END_INSTANT = Instant.parse("+10000-01-01T00:00:00Z");

  private InputText() {}

  /** What is wrong with the text, or null when it is acceptable (null text is acceptable). */
  public static String problem(String text, int maxChars) {
    if (text == null) {
      return null;
    }
    if (text.length() > maxChars) {
      return "at most " + maxChars + " characters";
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        return "must not contain control characters";
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "must not contain unpaired surrogates (not valid Unicode)";
      }
    }
    return null;
  }

  /** Whether an instant is in the range the gateway accepts. */
  public static boolean inRange(Instant instant) {
    return !instant.isBefore(MIN_INSTANT) && instant.isBefore(END_INSTANT);
  }
}
