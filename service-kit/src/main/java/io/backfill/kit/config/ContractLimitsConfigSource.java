package io.backfill.kit.config;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.topic.Topics;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The contracts' limits as configuration properties, so a service's {@code application.properties}
 * refers to them ({@code ${backfill.limits.chunk-max-bytes}}) instead of repeating a number: {@code
 * backfill.limits.chunk-max-bytes} (the chunk topic's record limit) and {@code
 * backfill.limits.chunk-max-messages}. Registered through {@code META-INF/services}; its ordinal is
 * below every file and environment source, and nothing is meant to override it.
 */
public final class ContractLimitsConfigSource implements ConfigSource {

  public static final String CHUNK_MAX_BYTES = "backfill.limits.chunk-max-bytes";
  public static final String CHUNK_MAX_MESSAGES = "backfill.limits.chunk-max-messages";

  private static final Map<String, String> LIMITS =
      Map.of(
          CHUNK_MAX_BYTES, String.valueOf(Topics.CHUNK_MAX_MESSAGE_BYTES),
          CHUNK_MAX_MESSAGES, String.valueOf(Chunk.MAX_MESSAGES));

  @Override
  public Map<String, String> getProperties() {
    return LIMITS;
  }

  @Override
  public Set<String> getPropertyNames() {
    return LIMITS.keySet();
  }

  @Override
  public String getValue(String propertyName) {
    return LIMITS.get(propertyName);
  }

  @Override
  public String getName() {
    return "backfill-contract-limits";
  }

  @Override
  public int getOrdinal() {
    return 10;
  }
}
