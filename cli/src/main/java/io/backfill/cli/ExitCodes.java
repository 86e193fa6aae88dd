package io.backfill.cli;

/** What a {@code backfill} process exit code means (the README lists them too). */
public final class ExitCodes {

  /** Done: for {@code request}, the broker acknowledged the record. */
  public static final int OK = 0;

  /** The command exists but cannot do its work yet (or failed unexpectedly). */
  public static final int NOT_AVAILABLE = 1;

  /** Bad input: a usage error or an invalid value. Nothing was sent. */
  public static final int BAD_INPUT = 2;

  /** The broker was unreachable or did not acknowledge in time, or rejected the record. */
  public static final int BROKER_FAILED = 3;

  private ExitCodes() {}
}
