package io.backfill.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.PauseJob;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import io.backfill.systemtests.ScenarioRunner.Outcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No record stops a consumer: generated malformed records on every topic a service consumes, while
 * every service's readiness is watched; then a valid backfill. Seeded and reproducible: the seed is
 * printed, and {@code -Dbackfill.fuzz.seed=<seed>} replays a run.
 *
 * <p>Record limits: every topic takes at most 1 MiB a record but {@code backfill.chunks} (8 MiB),
 * as {@link Topics} states on each; so the 2 MiB values go to {@code backfill.chunks} only, and the
 * other topics get values just under their 1 MiB limit instead.
 */
@ExtendWith(SystemStack.class)
@org.junit.jupiter.api.Order(4)
class MalformedRecordsFuzzIT {

  private static final List<String> TOPICS =
      List.of(
          Topics.BACKFILL_REQUESTS,
          Topics.BACKFILL_COMMANDS,
          Topics.BACKFILL_CHUNKS,
          Topics.RUN_EVENTS,
          Topics.RUN_CONTROL,
          Topics.JOB_EVENTS,
          Topics.EXTRACTION_RESULTS);
  private static final int PER_TOPIC = 75; // 525 in all
  private static final int MAX_REASON_BYTES = 1024;
  private static final Duration CONSUMED_BOUND = Duration.ofSeconds(60);

  // Counters in which a consumer counts a record it rejected or ignored (or failed to dead-letter)
  // with a reason, whatever the service names them: backfill_*_total series whose name or labels
  // say so (e.g. backfill_gateway_events_ignored_total, backfill_fetcher_requests_total{outcome=
  // "rejected"}, backfill_worker_dead_letter_failures_total).
  private static final Pattern COUNTED_REASON =
      Pattern.compile("^(backfill_[a-z_]*_total)(\\{[^}]*})? ([0-9.eE+-]+)$", Pattern.MULTILINE);
  private static final Pattern REASON_WORDS =
      Pattern.compile("ignored|reject|dead_letter_failures|skipped|invalid|malformed|unknown");

  /** What a generated record is: its kind and whether a consumer can only dead-letter it. */
  record Kind(String name, boolean undecodable) {}

  /**
   * A well-formed event of the topic's own type but with a tenant id no tenant can have: every
   * event record refuses it when decoded, so it is dead-lettered and the reason names the rule.
   */
  private static final Kind MALFORMED_TENANT_ID = new Kind("malformed-tenant-id", true);

  /** One record sent: where it landed and what it was. */
  record Sent(String topic, int partition, long offset, Kind kind, int bytes) {}

  @Test
  void fiveHundredMalformedRecordsOnEveryConsumedTopicStopNoConsumerAndAValidBackfillCompletes() {
    long seed = Long.getLong("backfill.fuzz.seed", System.currentTimeMillis());
    System.out.println("Fuzz seed: " + seed + " (replay with -Dbackfill.fuzz.seed=" + seed + ")");
    Random random = new Random(seed);
    ScenarioRunner scenarios = ScenarioRunner.get();
    LocalStack stack = scenarios.stack;
    List<ServiceNode> services =
        stack.processes().stream()
            .filter(p -> !p.name().equals(LocalStack.SIMULATOR))
            // A node an earlier scenario stopped for good (the second monitor) has no consumer.
            .filter(ServiceNode::isRunning)
            .toList();

    Map<String, Double> countedBefore = countedReasons(services);
    ConcurrentLinkedQueue<String> notReady = new ConcurrentLinkedQueue<>();
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(
        () -> {
          for (ServiceNode service : services) {
            if (!service.ready()) {
              notReady.add(service.name() + " at " + Instant.now());
            }
          }
        },
        0,
        500,
        TimeUnit.MILLISECONDS);
    List<Sent> sent = new ArrayList<>();
    try {
      sent.addAll(send(stack.kafka().bootstrapServers(), random));
      System.out.println("Fuzz: " + sent.size() + " records sent: " + kinds(sent));

      // Every group consuming a fuzzed topic gets past every record sent to it (none is stuck on
      // one), and commits that.
      await("every consumer group past every malformed record")
          .atMost(CONSUMED_BOUND)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(() -> assertEveryGroupPast(stack.kafka().bootstrapServers(), sent));

      // A valid backfill after them is processed as usual.
      Outcome outcome =
          scenarios.run(
              "fuzz: valid backfill after " + sent.size() + " malformed records",
              "st-after-fuzz",
              scenarios.newest(100),
              j -> Set.of());
      assertThat(outcome.timeouts()).isZero();
    } finally {
      watcher.shutdownNow();
    }
    assertThat(notReady).as("services seen not ready during and after the fuzz").isEmpty();
    for (ServiceNode service : services) {
      assertThat(service.ready()).as("%s ready after the fuzz", service.name()).isTrue();
    }

    // Every record ends dead-lettered (with a reason of at most 1 KiB) or counted as rejected or
    // ignored; every one no consumer could decode is dead-lettered.
    Map<String, Map<String, String>> deadLettered = new HashMap<>();
    for (String topic : TOPICS) {
      for (ConsumerRecord<byte[], byte[]> dead :
          TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.deadLetterOf(topic))) {
        String source = header(dead, "dead-letter-topic");
        String where =
            header(dead, "dead-letter-partition") + "@" + header(dead, "dead-letter-offset");
        if (!topic.equals(source)) {
          continue;
        }
        Header reason = dead.headers().lastHeader("dead-letter-reason");
        assertThat(reason)
            .as("reason header of the dead letter of %s %s", topic, where)
            .isNotNull();
        deadLettered
            .computeIfAbsent(topic, t -> new HashMap<>())
            .put(where, new String(reason.value(), StandardCharsets.UTF_8));
        assertThat(reason.value().length)
            .as("reason of the dead letter of %s %s", topic, where)
            .isLessThanOrEqualTo(MAX_REASON_BYTES);
      }
    }
    List<Sent> notDeadLettered = new ArrayList<>();
    for (Sent record : sent) {
      String reason =
          deadLettered
              .getOrDefault(record.topic(), Map.of())
              .get(record.partition() + "@" + record.offset());
      boolean dead = reason != null;
      if (record.kind().equals(MALFORMED_TENANT_ID)) {
        assertThat(reason).as("dead-letter reason of %s", record).contains("tenantId must be");
      }
      if (!dead) {
        assertThat(record.kind().undecodable())
            .as("an undecodable record not dead-lettered: %s", record)
            .isFalse();
        notDeadLettered.add(record);
      }
    }
    double counted =
        countedReasons(services).entrySet().stream()
            .mapToDouble(e -> e.getValue() - countedBefore.getOrDefault(e.getKey(), 0.0))
            .sum();
    System.out.println(
        "Fuzz: "
            + (sent.size() - notDeadLettered.size())
            + " dead-lettered, "
            + notDeadLettered.size()
            + " not ("
            + kinds(notDeadLettered)
            + "), "
            + counted
            + " counted as rejected or ignored");
    assertThat(counted)
        .as(
            "records rejected or ignored with a counted reason (not dead-lettered: %s)",
            kinds(notDeadLettered))
        .isGreaterThanOrEqualTo(notDeadLettered.size());
  }

  // ---------------------------------------------------------------------------------------------

  private static List<Sent> send(String bootstrapServers, Random random) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    // Room for the largest record (just under backfill.chunks' 8 MiB): the broker judges it.
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(9 * 1024 * 1024));
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
    List<Sent> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (String topic : TOPICS) {
        List<Generator> generators = generators(topic);
        for (int i = 0; i < PER_TOPIC; i++) {
          // Every kind at least once on every topic, then at random.
          Generator generator =
              i < generators.size()
                  ? generators.get(i)
                  : generators.get(random.nextInt(generators.size()));
          byte[] value = generator.value().apply(random);
          byte[] key =
              random.nextBoolean()
                  ? null
                  : ("fuzz-" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
          try {
            RecordMetadata metadata =
                producer.send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
            sent.add(
                new Sent(
                    topic,
                    metadata.partition(),
                    metadata.offset(),
                    generator.kind(),
                    value == null ? 0 : value.length));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted sending to " + topic, e);
          } catch (Exception e) {
            throw new AssertionError(
                "The broker refused a " + generator.kind().name() + " record on " + topic, e);
          }
        }
      }
    }
    return sent;
  }

  /** A kind of malformed record and how to make one. */
  record Generator(Kind kind, Function<Random, byte[]> value) {}

  private static List<Generator> generators(String topic) {
    int limit = maxMessageBytes(topic);
    List<Generator> all = new ArrayList<>();
    all.add(
        new Generator(new Kind("not-json", true), r -> utf8(randomText(r, 1 + r.nextInt(300)))));
    all.add(new Generator(new Kind("binary", true), r -> randomBytes(r, 1 + r.nextInt(2000))));
    all.add(
        new Generator(new Kind("nul-bytes", true), r -> utf8("{\"type\":\"\u0000\u0000\"\u0000}")));
    all.add(
        new Generator(
            new Kind("nul-in-strings", false),
            r ->
                utf8(
                    "{\"type\":\"PauseJob\",\"eventId\":\""
                        + UUID.randomUUID()
                        + "\",\"schemaVersion\":1,\"occurredAt\":\"2026-01-01T00:00:00Z\","
                        + "\"tenantId\":\"a\\u0000b\",\"jobId\":\"x\\u0000\"}")));
    all.add(
        new Generator(
            new Kind("wrong-types", true),
            r ->
                utf8(
                    "{\"type\":"
                        + r.nextInt()
                        + ",\"eventId\":123,\"schemaVersion\":\"one\",\"occurredAt\":true,"
                        + "\"tenantId\":[1,2],\"jobId\":{}}")));
    all.add(
        new Generator(
            new Kind("missing-fields", true),
            r -> utf8("{\"type\":\"" + typeOf(topic) + "\",\"schemaVersion\":1}")));
    all.add(
        new Generator(
            new Kind("unknown-type", false),
            r ->
                utf8(
                    "{\"type\":\"NoSuchEvent"
                        + r.nextInt(100)
                        + "\",\"eventId\":\""
                        + UUID.randomUUID()
                        + "\",\"schemaVersion\":1}")));
    all.add(new Generator(new Kind("json-array", true), r -> utf8("[1,2,3]")));
    all.add(new Generator(new Kind("json-null", true), r -> utf8("null")));
    all.add(new Generator(new Kind("empty", true), r -> new byte[0]));
    all.add(new Generator(new Kind("tombstone", false), r -> null));
    all.add(
        new Generator(
            new Kind("other-topic-event", false),
            r -> utf8(EventJson.toJson(otherTopicEvent(topic)))));
    all.add(
        new Generator(
            new Kind("huge-string", true),
            r ->
                utf8(
                    "{\"type\":\""
                        + typeOf(topic)
                        + "\",\"schemaVersion\":1,\"tenantId\":\""
                        + "x".repeat(200_000 + r.nextInt(100_000))
                        + "\"}")));
    // Within 512 bytes of the topic's limit: its dead-letter copy, with the reason and origin
    // headers added, is larger than the topic's limit, so only a dead-letter producer (and topic)
    // sized for the source topic plus headroom can take it.
    all.add(
        new Generator(
            new Kind("near-limit", true), r -> utf8("{\"a\":\"" + "y".repeat(limit - 512) + "\"")));
    if (topic.equals(Topics.BACKFILL_CHUNKS)) {
      all.add(
          new Generator(
              new Kind("2-MiB", true), r -> randomBytes(r, 2 * 1024 * 1024 + r.nextInt(1024))));
    }
    if (topic.equals(Topics.BACKFILL_REQUESTS)) {
      // Well formed, for a tenant nobody created: rejected with a reason, never fetched.
      all.add(
          new Generator(
              new Kind("tenant-that-does-not-exist", false),
              r ->
                  EventJson.toBytes(
                      BackfillRequested.of(
                          "fuzz-ghost-" + r.nextInt(1_000_000),
                          UUID.randomUUID().toString(),
                          "alice@contoso.com",
                          Instant.parse("2025-06-01T00:00:00Z"),
                          Instant.parse("2025-06-02T00:00:00Z"),
                          null))));
      // A bad mailbox of about 1 MiB: the reason must not repeat it whole.
      all.add(
          new Generator(
              new Kind("huge-bad-mailbox", false),
              r ->
                  EventJson.toBytes(
                      BackfillRequested.of(
                          "fuzz-ghost-" + r.nextInt(1_000_000),
                          UUID.randomUUID().toString(),
                          "m".repeat(limit - 8 * 1024),
                          Instant.parse("2025-06-01T00:00:00Z"),
                          Instant.parse("2025-06-02T00:00:00Z"),
                          null))));
    }
    ownTypeEvent(topic)
        .ifPresent(
            event ->
                all.add(
                    new Generator(
                        MALFORMED_TENANT_ID,
                        r -> utf8(withTenantId(event, "Fuzz Tenant/" + r.nextInt(1000))))));
    if (topic.equals(Topics.BACKFILL_COMMANDS)) {
      all.add(
          new Generator(
              new Kind("tenant-that-does-not-exist", false),
              r -> {
                String tenant = "fuzz-ghost-" + r.nextInt(1_000_000);
                return EventJson.toBytes(
                    PauseJob.of(
                        tenant, JobId.derive(tenant, UUID.randomUUID().toString()), "fuzz"));
              }));
    }
    return all;
  }

  private static int maxMessageBytes(String topic) {
    return topic.equals(Topics.BACKFILL_CHUNKS)
        ? Topics.CHUNK_MAX_MESSAGE_BYTES
        : Topics.EVENT_MAX_MESSAGE_BYTES;
  }

  /** A type name the topic carries, so a record with it gets past the first check. */
  private static String typeOf(String topic) {
    return switch (topic) {
      case Topics.BACKFILL_REQUESTS -> "BackfillRequested";
      case Topics.BACKFILL_COMMANDS -> "PauseJob";
      case Topics.BACKFILL_CHUNKS -> "Chunk";
      case Topics.RUN_EVENTS -> "RunStarted";
      case Topics.RUN_CONTROL -> "RetryDue";
      case Topics.JOB_EVENTS -> "JobAccepted";
      default -> "ChunkExtracted";
    };
  }

  /** A valid event of the topic's own type, for the topics whose events carry a tenant id. */
  private static Optional<io.backfill.contracts.event.Event> ownTypeEvent(String topic) {
    return switch (topic) {
      case Topics.BACKFILL_REQUESTS -> Optional.of(otherTopicEvent(Topics.RUN_EVENTS));
      case Topics.RUN_EVENTS -> Optional.of(otherTopicEvent(Topics.BACKFILL_REQUESTS));
      case Topics.BACKFILL_COMMANDS -> {
        String tenant = OTHER_TENANT;
        yield Optional.of(
            PauseJob.of(tenant, JobId.derive(tenant, UUID.randomUUID().toString()), "fuzz"));
      }
      default -> Optional.empty();
    };
  }

  /** The event's JSON with its tenant id replaced: no record would let it be built. */
  private static String withTenantId(io.backfill.contracts.event.Event event, String tenantId) {
    String json = EventJson.toJson(event);
    String field = "\"tenantId\":\"" + OTHER_TENANT + "\"";
    assertThat(json).contains(field);
    return json.replace(field, "\"tenantId\":\"" + tenantId + "\"");
  }

  private static final String OTHER_TENANT = "fuzz-ghost-other";

  /**
   * A valid event of another topic (for a tenant that does not exist): a request anywhere but
   * backfill.requests, a run's start on backfill.requests.
   */
  private static io.backfill.contracts.event.Event otherTopicEvent(String topic) {
    String tenant = OTHER_TENANT;
    JobId job = JobId.derive(tenant, UUID.randomUUID().toString());
    if (!topic.equals(Topics.BACKFILL_REQUESTS)) {
      return BackfillRequested.of(
          tenant,
          UUID.randomUUID().toString(),
          "alice@contoso.com",
          Instant.parse("2025-06-01T00:00:00Z"),
          Instant.parse("2025-06-02T00:00:00Z"),
          null);
    }
    return RunStarted.of(
        tenant,
        RunId.extract(job, 1),
        AttemptId.random(),
        "fuzz",
        "fuzz",
        2_000,
        new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, 0L));
  }

  private static void assertEveryGroupPast(String bootstrapServers, List<Sent> sent)
      throws Exception {
    Map<TopicPartition, Long> needed = new LinkedHashMap<>();
    for (Sent record : sent) {
      needed.merge(
          new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    Map<String, Set<String>> groupsByTopic = new HashMap<>();
    List<String> behind = new ArrayList<>();
    try (Admin admin = Admin.create(props)) {
      List<String> groupIds =
          admin
              .listGroups(ListGroupsOptions.forConsumerGroups())
              .all()
              .get(20, TimeUnit.SECONDS)
              .stream()
              .map(GroupListing::groupId)
              .toList();
      // Only groups a live process consumes in: a killed worker's own group (named by its
      // instance) keeps its last offsets for good and is nobody's to advance.
      Map<String, ConsumerGroupDescription> described =
          admin.describeConsumerGroups(groupIds).all().get(20, TimeUnit.SECONDS);
      for (ConsumerGroupDescription group : described.values()) {
        if (group.members().isEmpty()) {
          continue;
        }
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(group.groupId())
                .partitionsToOffsetAndMetadata()
                .get(20, TimeUnit.SECONDS);
        Set<String> topics = new HashSet<>();
        committed.keySet().forEach(p -> topics.add(p.topic()));
        for (String topic : topics) {
          if (!TOPICS.contains(topic)) {
            continue;
          }
          groupsByTopic.computeIfAbsent(topic, t -> new HashSet<>()).add(group.groupId());
          for (Map.Entry<TopicPartition, Long> need : needed.entrySet()) {
            if (!need.getKey().topic().equals(topic)) {
              continue;
            }
            OffsetAndMetadata offset = committed.get(need.getKey());
            if (offset == null || offset.offset() < need.getValue()) {
              behind.add(
                  group.groupId()
                      + " on "
                      + need.getKey()
                      + ": "
                      + (offset == null ? "nothing committed" : offset.offset())
                      + " < "
                      + need.getValue());
            }
          }
        }
      }
    }
    assertThat(groupsByTopic.keySet()).as("topics with a consumer group").containsAll(TOPICS);
    assertThat(behind).as("consumer groups not past the malformed records").isEmpty();
  }

  private static Map<String, Double> countedReasons(List<ServiceNode> services) {
    Map<String, Double> counted = new HashMap<>();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    for (ServiceNode service : services) {
      String metrics;
      try {
        metrics =
            http.send(
                    HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
      } catch (java.io.IOException e) {
        throw new AssertionError("Cannot read the metrics of " + service.name(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      Matcher line = COUNTED_REASON.matcher(metrics);
      while (line.find()) {
        String series = line.group(1) + (line.group(2) == null ? "" : line.group(2));
        if (REASON_WORDS.matcher(series).find()) {
          counted.merge(
              service.name() + " " + series, Double.parseDouble(line.group(3)), Double::sum);
        }
      }
    }
    return counted;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static Map<String, Long> kinds(List<Sent> records) {
    Map<String, Long> kinds = new LinkedHashMap<>();
    records.forEach(r -> kinds.merge(r.topic() + ":" + r.kind().name(), 1L, Long::sum));
    return kinds;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String randomText(Random random, int length) {
    char[] text = new char[length];
    for (int i = 0; i < length; i++) {
      text[i] = (char) (32 + random.nextInt(95));
    }
    // Never starts like JSON: a leading letter.
    text[0] = 'z';
    return new String(text);
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    bytes[0] = (byte) 0xff; // never valid UTF-8 JSON
    return bytes;
  }
}
