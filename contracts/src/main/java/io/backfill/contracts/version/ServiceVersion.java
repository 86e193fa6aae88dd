package io.backfill.contracts.version;

import java.time.Instant;

/**
 * What a running process is: the body of every service's {@code /version}, read from the build info
 * baked in at build time, never from files on disk.
 *
 * @param buildSha the git commit the process was built from, or {@value #UNKNOWN} outside a
 *     checkout
 */
public record ServiceVersion(
    String service, String version, String buildSha, Instant builtAt, Instant startedAt) {

  public static final String UNKNOWN = "unknown";

  public ServiceVersion {
    service = orUnknown(service);
    version = orUnknown(version);
    buildSha = orUnknown(buildSha);
  }

  private static String orUnknown(String value) {
    return value == null || value.isBlank() ? UNKNOWN : value;
  }
}
