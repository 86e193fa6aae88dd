package io.backfill.gateway.ops;

import io.backfill.gateway.config.GatewayConfig;
import io.backfill.kit.kafka.KafkaClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Consumer-group lag from the broker (AdminClient): for every group, every partition it has
 * committed an offset for, lag = log end offset − committed offset. Also exported as the gauges
 * kafka_exporter exports, with its names and labels ({@code
 * kafka_consumergroup_lag{consumergroup,topic,partition}} and {@code
 * kafka_consumergroup_lag_sum{consumergroup,topic}}), so standard lag dashboards work against the
 * gateway as against kafka_exporter.
 */
@ApplicationScoped
public class ConsumerLag {

  private static final Logger LOG = Logger.getLogger(ConsumerLag.class);

  /** One partition of one group. */
  public record PartitionLag(int partition, long committedOffset, long endOffset, long lag) {}

  /** One topic of one group, with its partitions. */
  public record TopicLag(String topic, long lag, List<PartitionLag> partitions) {}

  /** One consumer group. */
  public record GroupLag(String group, long lag, List<TopicLag> topics) {}

  private final Admin admin;
  private final Duration timeout;
  private final MultiGauge lagGauge;
  private final MultiGauge lagSumGauge;
  private final MeterRegistry metrics;

  ConsumerLag(KafkaClients kafka, GatewayConfig config, MeterRegistry metrics) {
    this.timeout = config.ops().adminTimeout();
    this.metrics = metrics;
    this.admin = kafka.admin("api-gateway-lag", timeout);
    this.lagGauge =
        MultiGauge.builder("kafka_consumergroup_lag")
            .description("Lag of a consumer group on a partition (log end offset - committed)")
            .register(metrics);
    this.lagSumGauge =
        MultiGauge.builder("kafka_consumergroup_lag_sum")
            .description("Lag of a consumer group summed over a topic's partitions")
            .register(metrics);
  }

  /** Lag of every group now; also refreshes the gauges. */
  public List<GroupLag> current() {
    try {
      List<GroupLag> groups = read();
      export(groups);
      return groups;
    } catch (ExecutionException | TimeoutException e) {
      metrics.counter("backfill_gateway_lag_reads_total", "outcome", "failed").increment();
      throw new IllegalStateException("could not read consumer lag from the broker: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading consumer lag", e);
    }
  }

  @Scheduled(
      every = "${backfill.gateway.ops.lag-refresh-interval:15s}",
      delayed = "5s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void refresh() {
    try {
      current();
    } catch (RuntimeException e) {
      LOG.warnf("lag gauges not refreshed: %s", e.getMessage());
    }
  }

  private List<GroupLag> read() throws ExecutionException, InterruptedException, TimeoutException {
    long ms = timeout.toMillis();
    Collection<String> groupIds =
        admin
            .listGroups(ListGroupsOptions.forConsumerGroups())
            .all()
            .get(ms, TimeUnit.MILLISECONDS)
            .stream()
            .map(g -> g.groupId())
            .sorted()
            .toList();
    List<GroupLag> groups = new ArrayList<>();
    for (String group : groupIds) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(ms, TimeUnit.MILLISECONDS);
      committed.values().removeIf(o -> o == null);
      if (committed.isEmpty()) {
        continue;
      }
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get(ms, TimeUnit.MILLISECONDS);
      Map<String, List<PartitionLag>> byTopic = new TreeMap<>();
      committed.forEach(
          (tp, offset) -> {
            long end = ends.get(tp).offset();
            byTopic
                .computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                .add(
                    new PartitionLag(
                        tp.partition(), offset.offset(), end, Math.max(0, end - offset.offset())));
          });
      List<TopicLag> topics = new ArrayList<>();
      byTopic.forEach(
          (topic, partitions) -> {
            partitions.sort(java.util.Comparator.comparingInt(PartitionLag::partition));
            topics.add(
                new TopicLag(
                    topic, partitions.stream().mapToLong(PartitionLag::lag).sum(), partitions));
          });
      groups.add(new GroupLag(group, topics.stream().mapToLong(TopicLag::lag).sum(), topics));
    }
    return groups;
  }

  private void export(List<GroupLag> groups) {
    List<MultiGauge.Row<?>> partitionRows = new ArrayList<>();
    List<MultiGauge.Row<?>> topicRows = new ArrayList<>();
    for (GroupLag group : groups) {
      for (TopicLag topic : group.topics()) {
        topicRows.add(
            MultiGauge.Row.of(
                Tags.of("consumergroup", group.group(), "topic", topic.topic()), topic.lag()));
        for (PartitionLag partition : topic.partitions()) {
          partitionRows.add(
              MultiGauge.Row.of(
                  Tags.of(
                      "consumergroup",
                      group.group(),
                      "topic",
                      topic.topic(),
                      "partition",
                      String.valueOf(partition.partition())),
                  partition.lag()));
        }
      }
    }
    // overwrite: groups and partitions that are gone disappear from the scrape.
    lagGauge.register(partitionRows, true);
    lagSumGauge.register(topicRows, true);
  }

  @PreDestroy
  void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
