package io.backfill.fetcher.domain;

import java.util.Locale;

/** What taking one record of {@code backfill.requests} did; the metric's {@code outcome} tag. */
public enum IntakeOutcome {
  /** A new job, announced with JobAccepted. */
  ACCEPTED,
  /** A well-formed request that cannot be a job, answered with JobRejected. */
  REJECTED,
  /** A request whose job already exists (same tenant and requestId). */
  DUPLICATE,
  /** Not a valid request event: dead-lettered. */
  MALFORMED,
  /** The database or the broker failed during intake: dead-lettered. */
  FAILED;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
