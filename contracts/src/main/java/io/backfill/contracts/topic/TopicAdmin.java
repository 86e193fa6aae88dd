package io.backfill.contracts.topic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates Backfill's topics with their declared partitions and configs, leaving existing topics as
 * they are. Safe to call from every service at every start.
 */
public final class TopicAdmin {

  private TopicAdmin() {}

  /**
   * Creates the topics that do not exist yet, each with its spec's configs at {@code
   * replicationFactor} (its {@code min.insync.replicas} included).
   *
   * @return the names of the topics this call created
   */
  public static Set<String> ensure(
      String bootstrapServers,
      short replicationFactor,
      Collection<TopicSpec> topics,
      Duration timeout) {
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(config)) {
      return ensure(admin, replicationFactor, topics, timeout);
    }
  }

  public static Set<String> ensure(
      Admin admin, short replicationFactor, Collection<TopicSpec> topics, Duration timeout) {
    try {
      Set<String> existing =
          admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (TopicSpec topic : topics) {
        if (!existing.contains(topic.name())) {
          missing.add(
              new NewTopic(topic.name(), topic.partitions(), replicationFactor)
                  .configs(topic.configsFor(replicationFactor)));
        }
      }
      List<String> created = new ArrayList<>();
      for (var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          created.add(entry.getKey());
        } catch (ExecutionException e) {
          // Another service created it between our list and our create: that is the goal.
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "could not create topic " + entry.getKey() + ": " + e.getCause(), e.getCause());
          }
        }
      }
      return Set.copyOf(created);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not list or create topics: " + e, e);
    }
  }
}
