package io.backfill.kit.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.topic.Topics;
import java.util.ServiceLoader;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

class ContractLimitsConfigSourceTest {

  @Test
  void theChunkLimitsAreServedAsPropertiesFromTheContracts() {
    ConfigSource limits =
        ServiceLoader.load(ConfigSource.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(ContractLimitsConfigSource.class::isInstance)
            .findFirst()
            .orElseThrow();

    assertThat(limits.getValue("backfill.limits.chunk-max-bytes"))
        .isEqualTo(String.valueOf(Topics.CHUNK_MAX_MESSAGE_BYTES));
    assertThat(limits.getValue("backfill.limits.chunk-max-messages"))
        .isEqualTo(String.valueOf(Chunk.MAX_MESSAGES));
    assertThat(limits.getOrdinal()).isLessThan(100);
  }
}
