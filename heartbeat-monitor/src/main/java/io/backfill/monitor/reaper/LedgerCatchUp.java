package io.backfill.monitor.reaper;

import io.backfill.contracts.topic.Topics;
import io.backfill.kit.kafka.KafkaClients;
import io.backfill.monitor.config.MonitorConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Whether the ledger has read {@code run.events} far enough to judge staleness: unread heartbeats
 * are not missing heartbeats. The ledger is behind
 *
 * <ul>
 *   <li>until this instance's consumer was first assigned partitions (start-up);
 *   <li>after every assignment, until it has processed every record that was in its partitions when
 *       they were assigned (restart, rebalance);
 *   <li>while this instance has unread records and has not applied a batch for {@code
 *       backfill.monitor.reaper.ingest-silence} (ingest stuck on the database);
 *   <li>whenever the consumer group's lag on {@code run.events} (log end minus this instance's
 *       processed positions on its partitions and the group's committed offsets on the others, so
 *       replicas also wait for each other) is above {@code
 *       backfill.monitor.reaper.lag-threshold-records}, or cannot be measured.
 * </ul>
 */
@ApplicationScoped
public class LedgerCatchUp {

  private static final Logger LOG = Logger.getLogger(LedgerCatchUp.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);

  /** End offset per assigned partition at assignment time: what must be processed first. */
  private final Map<Integer, Long> catchUpTargets = new ConcurrentHashMap<>();

  /** Next offset to process per assigned partition. */
  private final Map<Integer, Long> nextOffsets = new ConcurrentHashMap<>();

  private final AtomicLong groupLag = new AtomicLong(-1);
  private final MonitorConfig config;
  private final String groupId;
  private final KafkaClients kafka;
  private volatile boolean assigned;
  private volatile Admin admin;
  private volatile String lastReason = "no partitions assigned yet";
  private volatile long lastProcessedNanos = System.nanoTime();

  /** When unread records were first seen here since there last were none; 0 when none. */
  private volatile long unreadSinceNanos;

  LedgerCatchUp(
      MonitorConfig config,
      MeterRegistry metrics,
      @ConfigProperty(name = "mp.messaging.incoming.run-events.group.id") String groupId,
      KafkaClients kafka) {
    this.config = config;
    this.groupId = groupId;
    this.kafka = kafka;
    // A gauge reads the object it was first registered with: replace one left by an earlier
    // instance (Quarkus tests restart the application in one JVM) so it reads this one.
    metrics.find("backfill_ledger_lag_records").meters().forEach(metrics::remove);
    Gauge.builder("backfill_ledger_lag_records", groupLag, AtomicLong::get)
        .description("run.events consumer group lag (committed) last measured")
        .strongReference(true)
        .register(metrics);
  }

  /** Called on the consumer's thread when partitions are assigned. */
  public void assigned(Map<Integer, Long> positions, Map<Integer, Long> endOffsets) {
    nextOffsets.putAll(positions);
    catchUpTargets.putAll(endOffsets);
    assigned = true;
  }

  /** Called on the consumer's thread when partitions are revoked or lost. */
  public void revoked(Collection<Integer> partitions) {
    partitions.forEach(
        partition -> {
          catchUpTargets.remove(partition);
          nextOffsets.remove(partition);
        });
  }

  /** Called after a run.events record was handled (applied, fenced or dead-lettered). */
  public void processed(int partition, long offset) {
    nextOffsets.merge(partition, offset + 1, Math::max);
    lastProcessedNanos = System.nanoTime();
  }

  /** True while the reaper must not judge attempts. */
  public boolean isBehind() {
    if (!assigned) {
      lastReason = "no partitions assigned yet";
      return true;
    }
    for (Map.Entry<Integer, Long> target : catchUpTargets.entrySet()) {
      long next = nextOffsets.getOrDefault(target.getKey(), 0L);
      if (next < target.getValue()) {
        lastReason =
            "partition "
                + target.getKey()
                + " at offset "
                + next
                + " of "
                + target.getValue()
                + " present at assignment";
        return true;
      }
      // Caught up with what was there at assignment; only the group lag matters from now on.
      catchUpTargets.remove(target.getKey(), target.getValue());
    }
    Map<TopicPartition, Long> ends = endOffsets();
    if (ends == null) {
      groupLag.set(-1);
      lastReason = "run.events end offsets unknown";
      return true;
    }
    long lag = measureGroupLag(ends);
    groupLag.set(lag);
    if (lag < 0) {
      lastReason = "consumer group lag unknown";
      return true;
    }
    if (lag > config.reaper().lagThresholdRecords()) {
      lastReason =
          "consumer group lag "
              + lag
              + " records > threshold "
              + config.reaper().lagThresholdRecords();
      return true;
    }
    // Unread records here while ingest has not finished a batch for a while: ingest is stuck
    // (a lock, a slow or failing database). Its heartbeats are not missing heartbeats, however few.
    long unread = unreadHere(ends);
    long now = System.nanoTime();
    if (unread == 0) {
      unreadSinceNanos = 0;
    } else if (unreadSinceNanos == 0) {
      unreadSinceNanos = now;
    }
    // Silent since the later of the last batch and the first sight of unread records, so records
    // that arrive after a quiet hour are not mistaken for a stuck ingest.
    long silentMs =
        TimeUnit.NANOSECONDS.toMillis(now - Math.max(lastProcessedNanos, unreadSinceNanos));
    if (unread > 0 && silentMs > config.reaper().ingestSilence().toMillis()) {
      lastReason =
          unread
              + " unread run.events records and no batch applied for "
              + silentMs
              + " ms (ingest-silence "
              + config.reaper().ingestSilence().toMillis()
              + " ms)";
      return true;
    }
    return false;
  }

  /** Why the ledger was last found behind. */
  public String describe() {
    return lastReason;
  }

  /** Records in this instance's partitions past what it processed. */
  private long unreadHere(Map<TopicPartition, Long> ends) {
    long unread = 0;
    for (Map.Entry<Integer, Long> next : nextOffsets.entrySet()) {
      Long end = ends.get(new TopicPartition(Topics.RUN_EVENTS, next.getKey()));
      if (end != null) {
        unread += Math.max(0, end - next.getValue());
      }
    }
    return unread;
  }

  /** Log end offsets of every run.events partition; null when not measurable. */
  private Map<TopicPartition, Long> endOffsets() {
    try {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < Topics.RUNS.partitions(); p++) {
        request.put(new TopicPartition(Topics.RUN_EVENTS, p), OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin().listOffsets(request).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, Long> offsets = new HashMap<>();
      ends.forEach((partition, info) -> offsets.put(partition, info.offset()));
      return offsets;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warnf("could not read the end offsets of run.events: %s", e.toString());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Records not yet processed over all run.events partitions: log end minus this instance's
   * position on its own partitions, minus the group's committed offset on the others; -1 when not
   * measurable.
   */
  private long measureGroupLag(Map<TopicPartition, Long> ends) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin()
              .listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      long lag = 0;
      for (var end : ends.entrySet()) {
        // This instance's own partitions: what it processed, exactly (commits trail by up to the
        // commit interval, a second of heartbeats). Other replicas' partitions: their commits.
        Long processed = nextOffsets.get(end.getKey().partition());
        if (processed != null) {
          lag += Math.max(0, end.getValue() - processed);
          continue;
        }
        OffsetAndMetadata done = committed.get(end.getKey());
        // A partition the group never committed is counted from 0: an overestimate that ends
        // with the group's first commit on it.
        lag += Math.max(0, end.getValue() - (done == null ? 0 : done.offset()));
      }
      return lag;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warnf("could not measure the lag of group %s on run.events: %s", groupId, e.toString());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private Admin admin() {
    if (admin == null) {
      synchronized (this) {
        if (admin == null) {
          admin = kafka.admin("heartbeat-monitor-lag", ADMIN_TIMEOUT);
        }
      }
    }
    return admin;
  }

  @PreDestroy
  void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(2));
    }
  }
}
