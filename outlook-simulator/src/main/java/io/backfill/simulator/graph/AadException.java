package io.backfill.simulator.graph;

/**
 * A token endpoint error, rendered in Microsoft identity platform's shape: {@code error}, {@code
 * error_description} starting with the AADSTS code, {@code error_codes}, trace and correlation ids.
 */
public class AadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;
  private final int aadstsCode;

  public AadException(int status, String error, int aadstsCode, String description) {
    super(description, null, false, false);
    this.status = status;
    this.error = error;
    this.aadstsCode = aadstsCode;
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public int aadstsCode() {
    return aadstsCode;
  }
}
