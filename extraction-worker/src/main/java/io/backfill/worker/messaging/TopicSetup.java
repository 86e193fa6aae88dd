package io.backfill.worker.messaging;

import io.backfill.contracts.topic.TopicAdmin;
import io.backfill.contracts.topic.Topics;
import io.backfill.worker.config.TopicsConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates every Backfill topic that is missing, with its declared partitions and configs, before
 * the channels need them. Every service does this, so no service depends on another's start order
 * (docs/decisions/0003-topic-creation.md).
 */
@ApplicationScoped
public class TopicSetup {

  private static final Logger LOG = Logger.getLogger(TopicSetup.class);

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  final TopicsConfig config;

  TopicSetup(TopicsConfig config) {
    this.config = config;
  }

  void createMissingTopics(@Observes @Priority(1) StartupEvent startup) {
    if (!config.createAtStartup()) {
      return;
    }
    Set<String> created =
        TopicAdmin.ensure(
            bootstrapServers, config.replicationFactor(), Topics.all(), config.adminTimeout());
    if (!created.isEmpty()) {
      LOG.infof("created topics %s", created);
    }
  }
}
