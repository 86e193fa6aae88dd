package io.backfill.fetcher.messaging;

import io.backfill.contracts.topic.Topics;
import io.smallrye.reactive.messaging.ClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Sizes each consumer's dead-letter producer for the records its source topic may hold: {@code
 * max.request.size} = {@link Topics#deadLetterMaxRequestBytes} of the source. With the client's 1
 * MiB default, a record near the source topic's limit plus its dead-letter headers could not be
 * dead-lettered, and the consumer stopped on it.
 */
@ApplicationScoped
public class DeadLetterProducerSizing implements ClientCustomizer<Map<String, Object>> {

  private static final Logger LOG = Logger.getLogger(DeadLetterProducerSizing.class);

  /** The fetcher's consuming channels and the topics they read. */
  static final Map<String, String> SOURCES =
      Map.of(
          "backfill-requests", Topics.BACKFILL_REQUESTS,
          "backfill-commands", Topics.BACKFILL_COMMANDS,
          "run-control", Topics.RUN_CONTROL);

  private static final String DLQ_CHANNEL_SUFFIX = "-dead-letter-queue";

  @Override
  public Map<String, Object> customize(
      String channel, Config channelConfig, Map<String, Object> config) {
    // Only producers: the consumers of the same channels have deserializers instead.
    if (!config.containsKey("value.serializer")) {
      return config;
    }
    String source =
        SOURCES.get(
            channel.endsWith(DLQ_CHANNEL_SUFFIX)
                ? channel.substring(0, channel.length() - DLQ_CHANNEL_SUFFIX.length())
                : channel);
    if (source == null) {
      return config;
    }
    Map<String, Object> sized = new HashMap<>(config);
    int maxRequest = Topics.deadLetterMaxRequestBytes(source);
    sized.put("max.request.size", maxRequest);
    LOG.infof(
        "dead-letter producer of %s: max.request.size %d bytes (topic %s)",
        channel, maxRequest, source);
    return sized;
  }
}
