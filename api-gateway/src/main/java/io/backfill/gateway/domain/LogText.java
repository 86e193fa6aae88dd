package io.backfill.gateway.domain;

/**
 * Makes caller-supplied text safe to put in a log line: CR, LF and every other control character
 * (and the Unicode line and paragraph separators, and unpaired surrogates) are written as escapes,
 * and a backslash as two, so a value can never start a forged log line or hide part of one. Long
 * values are cut, with their length stated.
 */
public final class LogText {

  /** Enough for any id or name the gateway accepts; longer values are cut. */
  static final int MAX_CHARS = 256;

  private LogText() {}

  /** The value escaped for a log line; {@code null} stays the text {@code null}. */
  public static String of(Object value) {
    if (value == null) {
      return "null";
    }
    String text = value.toString();
    int end = Math.min(text.length(), MAX_CHARS);
    StringBuilder out = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1))) {
            out.append(c).append(text.charAt(++i));
          } else if (Character.isISOControl(c)
              || Character.isSurrogate(c)
              || c == '\u2028'
              || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (end < text.length()) {
      out.append("…(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }
}
