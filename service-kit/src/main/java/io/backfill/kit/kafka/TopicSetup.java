package io.backfill.kit.kafka;

import io.backfill.contracts.topic.TopicAdmin;
import io.backfill.contracts.topic.Topics;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

/**
 * Creates every Backfill topic that is missing, with its declared partitions and configs (its
 * {@code min.insync.replicas} included), before the channels need them. Every service does this, so
 * no service depends on another's start order (docs/decisions/0003-topic-creation.md).
 */
@Singleton
public class TopicSetup {

  private static final Logger LOG = Logger.getLogger(TopicSetup.class);

  private final TopicsConfig config;
  private final KafkaClients kafka;

  TopicSetup(TopicsConfig config, KafkaClients kafka) {
    this.config = config;
    this.kafka = kafka;
  }

  void createMissingTopics(@Observes @Priority(1) StartupEvent startup) {
    if (!config.createAtStartup()) {
      return;
    }
    Set<String> created;
    try (Admin admin = kafka.admin("topic-setup", config.adminTimeout())) {
      created =
          TopicAdmin.ensure(admin, config.replicationFactor(), Topics.all(), config.adminTimeout());
    }
    if (!created.isEmpty()) {
      LOG.infof("created topics %s", created);
    }
  }
}
