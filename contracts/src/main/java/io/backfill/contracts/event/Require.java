package io.backfill.contracts.event;

import io.backfill.contracts.rules.TenantIds;
import java.util.List;

/** Checks used by the compact constructors of the event records. */
public final class Require {

  private Require() {}

  public static <T> T present(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  public static String text(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is required and must not be blank");
    }
    return value;
  }

  /**
   * A tenant id of the form {@link TenantIds} allows; the value is quoted at most 80 characters.
   */
  public static String tenantId(String value) {
    text(value, "tenantId");
    if (!TenantIds.isValid(value)) {
      String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
      throw new IllegalArgumentException(
          "tenantId must be 1 to "
              + TenantIds.MAX_CHARS
              + " lower-case letters, digits and hyphens, was '"
              + shown
              + "'");
    }
    return value;
  }

  public static int schemaVersion(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("schemaVersion must be 1 or more, was " + value);
    }
    return value;
  }

  public static long notNegative(long value, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must not be negative, was " + value);
    }
    return value;
  }

  public static int positive(int value, String field) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be 1 or more, was " + value);
    }
    return value;
  }

  public static <T> List<T> list(List<T> value, String field) {
    present(value, field);
    for (T element : value) {
      if (element == null) {
        throw new IllegalArgumentException(field + " must not contain null elements");
      }
    }
    return List.copyOf(value);
  }
}
