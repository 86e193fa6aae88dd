package io.backfill.contracts.rules;

import java.util.regex.Pattern;

/**
 * The form of a tenant id: 1 to 63 lower-case letters, digits and hyphens, starting with a letter
 * or a digit, so it is safe in a URL path, a Kafka key, a metric tag and a log line as it is. The
 * gateway creates tenants only with such ids, and every event record refuses any other.
 */
public final class TenantIds {

  public static final int MAX_CHARS = 63;

  /** The form as a regular expression, for annotations that need it as text. */
  public static final String REGEX = "[a-z0-9][a-z0-9-]{0,62}";

  public static final Pattern PATTERN = Pattern.compile(REGEX);

  private TenantIds() {}

  public static boolean isValid(String tenantId) {
    return tenantId != null && PATTERN.matcher(tenantId).matches();
  }
}
