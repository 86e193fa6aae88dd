package io.backfill.contracts.event;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * A failure as it travels between services: the exception type, its message and the full stack
 * trace, so status shows what really happened rather than {@code str(e)}.
 */
public record ErrorInfo(
    String type, @OptionalField String message, @OptionalField String stackTrace) {

  /** Stack traces beyond this many characters are cut; 16 KB keeps records small. */
  public static final int MAX_STACK_TRACE_CHARS = 16_384;

  public ErrorInfo {
    Require.text(type, "type");
  }

  public static ErrorInfo of(Throwable failure) {
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    String text = trace.toString();
    if (text.length() > MAX_STACK_TRACE_CHARS) {
      text = text.substring(0, MAX_STACK_TRACE_CHARS) + "\n\t... (cut)";
    }
    return new ErrorInfo(failure.getClass().getName(), failure.getMessage(), text);
  }

  /** A failure with a known code and message but no Java exception behind it (e.g. Graph's). */
  public static ErrorInfo coded(String code, String message) {
    return new ErrorInfo(code, message, null);
  }
}
