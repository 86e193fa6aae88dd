package io.backfill.kit.kafka;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How a service creates Backfill's topics at start-up. */
@ConfigMapping(prefix = "backfill.topics")
public interface TopicsConfig {

  /** Create missing topics at start-up (off where an operator owns topic creation). */
  @WithDefault("true")
  boolean createAtStartup();

  /**
   * Replication factor of created topics: 1 on a single local broker, 3 in production; it also sets
   * each topic's {@code min.insync.replicas} (contracts {@code Topics.minInsyncReplicas}).
   */
  @WithDefault("1")
  short replicationFactor();

  /** How long to wait for the broker while listing and creating topics. */
  @WithDefault("30s")
  Duration adminTimeout();
}
