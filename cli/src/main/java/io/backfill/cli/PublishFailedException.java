package io.backfill.cli;

/** The record was not acknowledged; the message says why, for the user, in one line. */
final class PublishFailedException extends Exception {

  PublishFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
