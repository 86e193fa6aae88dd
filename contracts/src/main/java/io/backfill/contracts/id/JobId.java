package io.backfill.contracts.id;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A backfill job's id. It is derived from (tenantId, requestId), so the same request posted twice,
 * through the gateway or straight onto the topic, names the same job, and the gateway can answer
 * with the id before the fetcher has seen the request.
 */
public record JobId(String value) {

  private static final Pattern CANONICAL_UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  @JsonCreator
  public JobId {
    if (value == null || !CANONICAL_UUID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "jobId must be a lower-case canonical UUID, was '" + value + "'");
    }
  }

  /** The job of a tenant's request: a name-based UUID, stable across processes and releases. */
  public static JobId derive(String tenantId, String requestId) {
    if (tenantId == null || tenantId.isBlank() || requestId == null || requestId.isBlank()) {
      throw new IllegalArgumentException("tenantId and requestId are required to derive a jobId");
    }
    // The length prefix keeps ("a/b", "c") and ("a", "b/c") apart.
    String name = "backfill-job:" + tenantId.length() + ":" + tenantId + ":" + requestId;
    return new JobId(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString());
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
