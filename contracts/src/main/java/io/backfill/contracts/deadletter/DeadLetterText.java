package io.backfill.contracts.deadletter;

import java.nio.charset.StandardCharsets;

/**
 * Text that goes into a dead-letter record's reason header or a rejection event: at most {@link
 * #MAX_BYTES} bytes of UTF-8, cut on a character boundary and marked as cut, so echoed input can
 * never make the dead-letter copy larger than the record it reports.
 */
public final class DeadLetterText {

  /** 1 KiB: enough for a reason and the start of the value that caused it. */
  public static final int MAX_BYTES = 1024;

  private static final String CUT_MARK = "…[truncated]";

  private DeadLetterText() {}

  /** {@code text} unchanged when it fits in {@link #MAX_BYTES}, else its head and a cut mark. */
  public static String truncate(String text) {
    return truncate(text, MAX_BYTES);
  }

  public static String truncate(String text, int maxBytes) {
    if (text == null) {
      return "";
    }
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= maxBytes) {
      return text;
    }
    int budget = maxBytes - CUT_MARK.getBytes(StandardCharsets.UTF_8).length;
    StringBuilder head = new StringBuilder();
    int used = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
      if (used + size > budget) {
        break;
      }
      head.appendCodePoint(codePoint);
      used += size;
      i += Character.charCount(codePoint);
    }
    return head.append(CUT_MARK).toString();
  }
}
