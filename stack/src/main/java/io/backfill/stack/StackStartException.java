package io.backfill.stack;

import java.nio.file.Path;

/** A part of the stack did not start: which part, why, and where its log is. */
public final class StackStartException extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private static final int TAIL_CHARS = 3_000;

  private final String part;
  private final transient Path log;

  public StackStartException(String part, String reason, Path log, Throwable cause) {
    super(message(part, reason, log), cause);
    this.part = part;
    this.log = log;
  }

  /** The part that failed: {@code kafka}, {@code postgresql}, or a service's name. */
  public String part() {
    return part;
  }

  /** Its log file, or null when it has none (PostgreSQL). */
  public Path log() {
    return log;
  }

  private static String message(String part, String reason, Path log) {
    if (log == null) {
      return part + " did not start: " + reason;
    }
    return part
        + " did not start: "
        + reason
        + "\n  log: "
        + log
        + "\n--- last lines of "
        + log.getFileName()
        + " ---\n"
        + Directories.tail(log, TAIL_CHARS);
  }
}
