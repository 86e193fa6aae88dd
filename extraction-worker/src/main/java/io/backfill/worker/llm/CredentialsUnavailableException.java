package io.backfill.worker.llm;

/** The credentials source could not say whether a tenant has a key; the attempt is retried. */
public class CredentialsUnavailableException extends RuntimeException {

  public CredentialsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
