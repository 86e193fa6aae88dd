package io.backfill.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventSerializer;
import io.backfill.contracts.topic.Topics;
import io.backfill.stack.LocalStack;
import io.backfill.stack.StackConfig;
import io.backfill.systemtests.GatewayApi.Answer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The boundary between tenants on the whole stack: a tenant reaches only mailboxes of the Graph
 * directory its administrator's consent bound to it, by no path at all; its BYOK key never leaves
 * the gateway's sealed store except to call its provider; its LLM base URL cannot point the workers
 * at private or metadata addresses.
 */
@ExtendWith(SystemStack.class)
@org.junit.jupiter.api.Order(3)
class TenantBoundaryIT {

  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

  private static LocalStack stack;
  private static GatewayApi gateway;
  private static SimulatorAdmin simulator;
  private static List<Instant> received;

  @BeforeAll
  static void useStack() {
    stack = SystemStack.get();
    gateway = new GatewayApi(stack.gateway().baseUrl());
    simulator = new SimulatorAdmin(stack.simulator().baseUrl());
    received = simulator.receivedTimes(stack.config().mailbox());
  }

  @Test
  void aTenantCannotBackfillAnotherOrganisationsMailboxByAnyPath() {
    String operator = stack.config().adminToken();
    long otherDirectoryTokens = simulator.tokensIssued(StackConfig.OTHER_GRAPH_DIRECTORY);
    String tenant = "st-trust-a";
    String apiKey = gateway.createUnboundTenant(operator, tenant);

    // Bound the only way a tenant can bind itself: its directory's administrator consents.
    String own = StackConfig.CONSENTING_GRAPH_DIRECTORY;
    Answer consent = gateway.call("GET", "/api/v1/graph/consent", apiKey, null);
    assertThat(consent.status()).isEqualTo(200);
    String consentUrl = consent.json().path("consentUrl").asText();
    String admin = "admin@" + StackConfig.CONSENTING_MAILBOX.split("@")[1];
    Answer approved = gateway.call("GET", consentUrl + "&login_hint=" + encode(admin), null, null);
    assertThat(approved.status()).isEqualTo(302);
    String callback = approved.location();
    assertThat(callback).contains("tenant=" + own);
    assertThat(gateway.call("GET", callback, null, null).status()).isEqualTo(200);
    assertThat(gateway.call("GET", "/api/v1/tenant/graph", apiKey, null).json().toString())
        .contains(own);

    // REST: the other organisation's mailbox is refused with its reason.
    String restJob =
        gateway.submit(apiKey, StackConfig.OTHER_MAILBOX, stack.windowFrom(), stack.windowTo());
    assertRejected(apiKey, restJob, "mailbox-outside-directory");

    // The topic: a request posted straight onto backfill.requests is checked the same way.
    String requestId = "topic-" + UUID.randomUUID();
    produce(
        BackfillRequested.of(
            tenant,
            requestId,
            StackConfig.OTHER_MAILBOX,
            stack.windowFrom(),
            stack.windowTo(),
            null));
    assertRejected(apiKey, JobId.derive(tenant, requestId).value(), "mailbox-outside-directory");

    // Secrets: naming a directory is not the tenant's word to give without an app of its own.
    Answer named =
        gateway.call(
            "PUT",
            "/api/v1/tenant/secrets/graph_directory_id",
            apiKey,
            Map.of("value", StackConfig.OTHER_GRAPH_DIRECTORY));
    assertThat(named.status()).isEqualTo(403);

    // Consent replay: the callback that bound the tenant, replayed for the other directory.
    String replayed =
        callback.replace("tenant=" + own, "tenant=" + StackConfig.OTHER_GRAPH_DIRECTORY);
    assertThat(gateway.call("GET", replayed, null, null).status()).isEqualTo(400);
    // A forged callback with a fresh state, for a directory whose administrator never consented.
    String freshState =
        gateway.call("GET", "/api/v1/graph/consent", apiKey, null).json().path("state").asText();
    Answer forged =
        gateway.call(
            "GET",
            "/api/v1/graph/consent/callback?admin_consent=True&tenant="
                + StackConfig.OTHER_GRAPH_DIRECTORY
                + "&state="
                + encode(freshState),
            null,
            null);
    assertThat(forged.status()).isBetween(400, 499);
    assertThat(gateway.call("GET", "/api/v1/tenant/graph", apiKey, null).json().toString())
        .contains(own)
        .doesNotContain(StackConfig.OTHER_GRAPH_DIRECTORY);

    // Its own organisation's mailbox it does backfill, through the same paths.
    String ownJob =
        gateway.submit(
            apiKey, StackConfig.CONSENTING_MAILBOX, stack.windowFrom(), stack.windowTo());
    assertThat(awaitTerminal(apiKey, ownJob, new ArrayList<>()).path("status").asText())
        .isEqualTo("completed");

    // After all of it, the identity platform never issued a token for the other directory.
    assertThat(simulator.tokensIssued(StackConfig.OTHER_GRAPH_DIRECTORY))
        .isEqualTo(otherDirectoryTokens);
    assertThat(simulator.messageCalls(StackConfig.OTHER_MAILBOX)).isZero();
  }

  @Test
  void aByokKeyNeverAppearsInAnyAnswerRecordLogOrRowEvenAfterTheProviderRejectsIt()
      throws SQLException {
    String marker = "BYOKMARKER" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String key = "sk-proj-" + marker + "x9Qz7Lm2Vb8Nc4";
    String tenant = "st-byok";
    String apiKey = gateway.createTenant(stack.config().adminToken(), tenant);
    gateway.putSecret(apiKey, "openai_api_key", key);
    gateway.putSecret(apiKey, "openai_base_url", stack.llmBaseUrl());
    List<String> answers = new ArrayList<>();

    String jobId = gateway.submit(apiKey, stack.config().mailbox(), newest(30), stack.windowTo());
    JsonNode done = awaitTerminal(apiKey, jobId, answers);

    // The provider refused the key, and that is visible, not swallowed.
    assertThat(done.path("counts").path("llmOutcomes").path("failed").asLong()).isPositive();
    assertThat(done.path("counts").path("llmFailureReasons").size()).isPositive();
    answers.add(gateway.call("GET", "/api/v1/backfills", apiKey, null).body());
    assertThat(answers).noneMatch(a -> a.contains(marker));
    assertThat(kafkaRecordsContaining(marker)).isEmpty();
    assertThat(logLinesContaining(marker)).isEmpty();
    assertThat(rowsContaining(marker)).isEmpty();
  }

  @Test
  void anLlmBaseUrlAtAPrivateOrMetadataAddressIsRefusedAndNeverCalled() throws Exception {
    String tenant = "st-ssrf";
    String apiKey = gateway.createTenant(stack.config().adminToken(), tenant);
    gateway.putSecret(apiKey, "openai_api_key", stack.config().llmApiKey());
    long llmCalls = simulator.llmCalls();

    for (String url :
        List.of(
            stack.gateway().baseUrl() + "/v1",
            "http://127.0.0.1:1/v1",
            "https://10.1.2.3/v1",
            "http://169.254.169.254/latest/meta-data",
            "https://169.254.169.254/v1",
            "file:///etc/passwd",
            "gopher://127.0.0.1:70/_x")) {
      Answer refused =
          gateway.call(
              "PUT", "/api/v1/tenant/secrets/openai_base_url", apiKey, Map.of("value", url));
      assertThat(refused.status()).as(url).isEqualTo(422);
    }

    // A name that passes the write-time check but resolves to a private or loopback address is
    // refused when the worker is about to call it.
    String host = InetAddress.getLocalHost().getHostName();
    InetAddress resolved = InetAddress.getByName(host);
    assumeThat(resolved.isLoopbackAddress() || resolved.isSiteLocalAddress())
        .as("this machine's name resolves to a loopback or private address (" + resolved + ")")
        .isTrue();
    gateway.putSecret(apiKey, "openai_base_url", "https://" + host + "/v1");
    String jobId = gateway.submit(apiKey, stack.config().mailbox(), newest(20), stack.windowTo());
    JsonNode done = awaitTerminal(apiKey, jobId, new ArrayList<>());

    assertThat(done.path("counts").path("llmFailureReasons").toString())
        .contains("llm-endpoint-refused");
    assertThat(simulator.llmCalls()).isEqualTo(llmCalls);
  }

  private static void assertRejected(String apiKey, String jobId, String reason) {
    await("job " + jobId + " rejected")
        .atMost(JOB_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Answer status = gateway.call("GET", "/api/v1/backfills/" + jobId, apiKey, null);
              return status.status() == 200
                  && status.json().path("status").asText().equals("rejected");
            });
    assertThat(gateway.status(apiKey, jobId).path("reason").asText()).contains(reason);
  }

  private static JsonNode awaitTerminal(String apiKey, String jobId, List<String> answers) {
    await("job " + jobId + " terminal")
        .atMost(JOB_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Answer status = gateway.call("GET", "/api/v1/backfills/" + jobId, apiKey, null);
              answers.add(status.body());
              if (status.status() != 200) {
                return false;
              }
              JsonNode job = status.json();
              // The ledger's JobCompleted and the workers' chunk results travel on different
              // topics: terminal, and every chunk's result in.
              long results = 0;
              for (JsonNode count : job.path("counts").path("llmOutcomes")) {
                results += count.asLong();
              }
              String state = job.path("status").asText();
              return state.equals("rejected")
                  || (List.of("completed", "failed").contains(state)
                      && results >= job.path("progress").path("chunks").asLong(Long.MAX_VALUE));
            });
    return gateway.status(apiKey, jobId);
  }

  /** The start of a window holding the mailbox's newest n messages. */
  private static Instant newest(int n) {
    return received.get(received.size() - n);
  }

  private static void produce(BackfillRequested request) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, io.backfill.contracts.event.Event> producer =
        new KafkaProducer<>(p, new StringSerializer(), new EventSerializer())) {
      producer.send(new ProducerRecord<>(Topics.BACKFILL_REQUESTS, request.key(), request)).get();
    } catch (Exception e) {
      throw new AssertionError("cannot produce " + request, e);
    }
  }

  /** Every record of every topic on the broker whose key, value or headers hold the text. */
  private static List<String> kafkaRecordsContaining(String text) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    List<String> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .listTopics(Duration.ofSeconds(30))
          .forEach(
              (topic, infos) ->
                  infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition()))));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertThat(Instant.now()).as("read every topic to its end").isBefore(deadline);
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          String all =
              (r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8))
                  + (r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
          StringBuilder headers = new StringBuilder();
          r.headers().forEach(h -> headers.append(new String(h.value(), StandardCharsets.UTF_8)));
          if ((all + headers).contains(text)) {
            found.add(r.topic() + "@" + r.partition() + ":" + r.offset());
          }
        }
      }
    }
    return found;
  }

  /** Lines of every process's log that hold the text. */
  private static List<String> logLinesContaining(String text) {
    try (Stream<Path> logs = Files.walk(stack.config().logDir())) {
      List<String> found = new ArrayList<>();
      for (Path log : logs.filter(Files::isRegularFile).toList()) {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
          lines.filter(l -> l.contains(text)).forEach(l -> found.add(log.getFileName() + ": " + l));
        }
      }
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Tables of every service's schema with a row whose text holds the text. */
  private static List<String> rowsContaining(String text) throws SQLException {
    List<String> found = new ArrayList<>();
    try (Connection db = stack.database()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          db.createStatement()
              .executeQuery(
                  "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                      + " WHERE table_schema IN ('fetcher', 'extraction', 'monitor', 'gateway')"
                      + " AND table_type = 'BASE TABLE'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables).hasSizeGreaterThan(10);
      for (String table : tables) {
        try (PreparedStatement query =
            db.prepareStatement(
                "SELECT count(*) FROM " + table + " t WHERE strpos(t::text, ?) > 0")) {
          query.setString(1, text);
          try (ResultSet rs = query.executeQuery()) {
            rs.next();
            if (rs.getLong(1) > 0) {
              found.add(table + ": " + rs.getLong(1));
            }
          }
        }
      }
    }
    return found;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
