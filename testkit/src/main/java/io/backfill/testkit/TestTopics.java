package io.backfill.testkit;

import java.util.UUID;

/**
 * Topic names no other test uses, so tests on the shared broker do not see each other's records.
 */
public final class TestTopics {

  private TestTopics() {}

  /** {@code base} followed by '-' and 8 random hex digits. */
  public static String unique(String base) {
    return base + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
