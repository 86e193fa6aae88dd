package io.backfill.testkit;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;

/** Generates KRaft cluster ids the way {@code kafka-storage random-uuid} does. */
public final class ClusterId {

  private ClusterId() {}

  /**
   * Returns a base64url-encoded random UUID of 22 characters. Ids starting with '-' are redrawn:
   * the storage tool's argument parser would read such an id as an option and refuse to format.
   */
  public static String random() {
    while (true) {
      UUID uuid = UUID.randomUUID();
      byte[] bytes =
          ByteBuffer.allocate(16)
              .putLong(uuid.getMostSignificantBits())
              .putLong(uuid.getLeastSignificantBits())
              .array();
      String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }
}
