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
  void everyTopicIsCreatedWithTwoInSyncReplicasWhenReplicatedThreeTimesAndOneOnASingleBroker() {
    for (TopicSpec spec : Topics.all()) {
      assertThat(spec.configsFor((short) 3))
          .containsEntry("min.insync.replicas", "2")
          .containsAllEntriesOf(spec.configs());
      assertThat(spec.configsFor((short) 1)).containsEntry("min.insync.replicas", "1");
    }
    assertThat(Topics.minInsyncReplicas((short) 2)).isEqualTo((short) 1);
    assertThat(Topics.minInsyncReplicas((short) 5)).isEqualTo((short) 2);
  }

  @Test
  void chunkDeadLetterTopicTakesRecordsAsLargeAsTheChunkTopicWithHeadersOnTop() {
    assertThat(Topics.CHUNKS.deadLetter().configs())
        .containsEntry("max.message.bytes", String.valueOf(8 * 1024 * 1024 + 64 * 1024))
        .containsEntry("compression.type", "zstd")
        .containsKey("retention.ms");
    assertThat(Topics.CHUNKS.deadLetter().name()).isEqualTo("backfill.chunks.dlq");
  }

  @Test
  void everyTopicStatesItsRecordLimitAndItsDeadLetterTopicTakesMore() {
    for (TopicSpec spec : Topics.all()) {
      if (spec.name().endsWith(Topics.DLQ_SUFFIX)) {
        continue;
      }
      assertThat(spec.configs()).containsKey("max.message.bytes");
      assertThat(spec.deadLetter().maxMessageBytes())
          .isEqualTo(spec.maxMessageBytes() + Topics.DEAD_LETTER_HEADROOM_BYTES);
      assertThat(Topics.deadLetterMaxRequestBytes(spec.name()))
          .isEqualTo(spec.deadLetter().maxMessageBytes());
    }
    assertThat(Topics.REQUESTS.maxMessageBytes()).isEqualTo(1024 * 1024);
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
