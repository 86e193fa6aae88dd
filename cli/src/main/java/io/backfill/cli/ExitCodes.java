package io.backfill.cli;

/** What a {@code backfill} process exit code means (the README lists them too). */
public final class ExitCodes {

  /** Done: the command did what it says (for {@code watch}: the job completed). */
  public static final int OK = 0;

  /** The command cannot do its work yet, or failed unexpectedly (with a stack trace). */
  public static final int NOT_AVAILABLE = 1;

  /** Bad input: a usage error or an invalid value. Nothing was sent. */
  public static final int BAD_INPUT = 2;

  /** The broker was unreachable or did not acknowledge in time, or rejected the record. */
  public static final int BROKER_FAILED = 3;

  /**
   * The gateway could not be reached, did not answer within {@code --timeout}, or answered 5xx
   * (e.g. 503 when its broker did not acknowledge): trying again later may work.
   */
  public static final int GATEWAY_UNAVAILABLE = 4;

  /** The gateway refused the request as invalid (400, 422 and other 4xx not listed here). */
  public static final int REJECTED = 5;

  /** No, a wrong, or the wrong kind of token (401, 403). */
  public static final int NOT_ALLOWED = 6;

  /** No such job (or tenant, or secret) for this caller (404). */
  public static final int NOT_FOUND = 7;

  /** The state does not allow it: resume a running job, create a tenant that exists (409). */
  public static final int CONFLICT = 8;

  /** {@code watch}: the job ended but did not complete (failed, cancelled or rejected). */
  public static final int JOB_NOT_COMPLETED = 9;

  /** {@code demo}, {@code up}: a part of the local stack did not start (which, why, its log). */
  public static final int STACK_FAILED = 10;

  /** {@code demo}: the job completed, but a count differs from the simulator's ground truth. */
  public static final int CHECK_FAILED = 11;

  private ExitCodes() {}
}
