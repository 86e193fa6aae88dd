package io.backfill.contracts.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.contracts.event.TopicEvents;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void chunksAreCompressedWithZstdAndAllowEightMebibyteRecords() {
    assertThat(Topics.CHUNKS.configs())
        .containsEntry("compression.type", "zstd")
        .containsEntry("max.message.bytes", String.valueOf(8 * 1024 * 1024));
  }

  @Test
  void chunkDeadLetterTopicTakesRecordsAsLargeAsTheChunkTopic() {
    assertThat(Topics.CHUNKS.deadLetter().configs())
        .containsEntry("max.message.bytes", String.valueOf(8 * 1024 * 1024))
        .containsEntry("compression.type", "zstd")
        .containsKey("retention.ms");
    assertThat(Topics.CHUNKS.deadLetter().name()).isEqualTo("backfill.chunks.dlq");
  }

  @Test
  void everyTopicHasADeadLetterTopicNamedAfterIt() {
    var names = Topics.all().stream().map(TopicSpec::name).toList();

    assertThat(names).doesNotHaveDuplicates();
    for (String topic : TopicEvents.byTopic().keySet()) {
      assertThat(names).contains(topic, topic + ".dlq");
    }
  }

  @Test
  void everyTopicCarriesOneSealedEventInterface() {
    assertThat(TopicEvents.byTopic()).hasSize(7);
    TopicEvents.byTopic().values().forEach(type -> assertThat(type.isSealed()).isTrue());
  }
}
