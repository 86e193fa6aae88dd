package io.backfill.contracts.serde;

import io.backfill.contracts.deadletter.DeadLetterText;

/**
 * A record that is not a valid event of the expected topic. Carries a {@link Reason} that a
 * dead-letter record or a log line can report, and a message that says what was wrong.
 */
public class EventDecodingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why the record could not be decoded. */
  public enum Reason {
    /** Empty input or the JSON literal {@code null}. */
    EMPTY,
    /** Not JSON, or JSON followed by trailing content. */
    MALFORMED_JSON,
    /** JSON without the {@code type} discriminator. */
    MISSING_TYPE,
    /** A {@code type} that this topic does not carry. */
    UNKNOWN_TYPE,
    /** A known type whose fields are missing or invalid. */
    INVALID_FIELDS
  }

  private final Reason reason;
  private final String expectedType;

  public EventDecodingException(
      Reason reason, String expectedType, String message, Throwable cause) {
    // The message becomes a dead-letter reason header: cut to 1 KiB so echoed input stays small.
    super(DeadLetterText.truncate(reason + " (expected " + expectedType + "): " + message), cause);
    this.reason = reason;
    this.expectedType = expectedType;
  }

  public Reason reason() {
    return reason;
  }

  /** The topic's event interface the record was read as, e.g. {@code RunEvent}. */
  public String expectedType() {
    return expectedType;
  }
}
