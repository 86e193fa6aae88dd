package io.backfill.gateway.domain;

/** Where a job stands, as the gateway shows it. Stored and served by its lower-case name. */
public enum JobStatus {
  PENDING,
  REJECTED,
  RUNNING,
  PAUSED,
  CANCELLED,
  COMPLETED,
  FAILED;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static JobStatus ofWireName(String wireName) {
    return valueOf(wireName.toUpperCase(java.util.Locale.ROOT));
  }
}
