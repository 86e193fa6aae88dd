package io.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.contracts.event.BackfillRequestEvent;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code backfill request} against the real shared broker. */
class RequestCommandTest {

  /** Nothing listens on port 1: connections are refused at once. */
  private static final String CLOSED_PORT = "127.0.0.1:1";

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private static KafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.shared();
  }

  @Test
  void publishesTheRequestKeyedByTenantAndMailboxAndPrintsItsJob() {
    String topic = newTopic();

    CliRun run =
        CliRun.of(
            "request",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--tenant",
            "acme",
            "--mailbox",
            "ada@acme.example",
            "--from",
            "2024-01-01T00:00:00Z",
            "--to",
            "2025-01-01T00:00:00Z",
            "--folder",
            "inbox",
            "--request-id",
            "req-1",
            "--topic",
            topic);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
    ConsumerRecord<String, String> record = onlyRecordOf(topic);
    BackfillRequested sent =
        (BackfillRequested) EventJson.fromJson(record.value(), BackfillRequestEvent.class);
    assertThat(record.key()).isEqualTo("acme/ada@acme.example");
    assertThat(sent.tenantId()).isEqualTo("acme");
    assertThat(sent.mailbox()).isEqualTo("ada@acme.example");
    assertThat(sent.requestId()).isEqualTo("req-1");
    assertThat(sent.from()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    assertThat(sent.to()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
    assertThat(sent.folder()).isEqualTo("inbox");
    assertThat(printed("jobId", run)).isEqualTo(JobId.derive("acme", "req-1").value());
    assertThat(run.out())
        .contains(
            "sent to:   %s partition %d offset %d"
                .formatted(topic, record.partition(), record.offset()));
    assertThat(run.err()).isEmpty();
  }

  @Test
  void withoutARequestIdItGeneratesOneAndTakesTheBrokerFromTheEnvironment() {
    String topic = newTopic();

    CliRun run =
        CliRun.withEnv(
            Map.of("BACKFILL_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
            "request",
            "--tenant=acme",
            "--mailbox=bob@acme.example",
            "--from=2024-06-01T00:00:00Z",
            "--to=2024-07-01T00:00:00Z",
            "--topic=" + topic);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
    BackfillRequested sent =
        (BackfillRequested)
            EventJson.fromJson(onlyRecordOf(topic).value(), BackfillRequestEvent.class);
    assertThat(printed("requestId", run)).isEqualTo(sent.requestId()).isNotBlank();
    assertThat(printed("jobId", run)).isEqualTo(JobId.derive("acme", sent.requestId()).value());
    assertThat(sent.folder()).isNull();
  }

  @Test
  void withFollowTheRequestIsFollowedAndAnIntervalWithoutFollowIsBadInput() {
    String topic = newTopic();
    String[] request = {
      "request",
      "--bootstrap-servers",
      broker.bootstrapServers(),
      "--tenant",
      "acme",
      "--mailbox",
      "ada@acme.example",
      "--from",
      "2024-01-01T00:00:00Z",
      "--to",
      "2025-01-01T00:00:00Z",
      "--topic",
      topic,
      "--follow-interval",
      "120"
    };

    CliRun refused = CliRun.of(request);
    String[] followed = java.util.Arrays.copyOf(request, request.length + 1);
    followed[request.length] = "--follow";
    CliRun run = CliRun.of(followed);

    assertThat(refused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(refused.err()).contains("--follow-interval needs --follow");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
    BackfillRequested sent =
        (BackfillRequested)
            EventJson.fromJson(onlyRecordOf(topic).value(), BackfillRequestEvent.class);
    assertThat(sent.followed()).isTrue();
    assertThat(sent.followIntervalSeconds()).isEqualTo(120);
    assertThat(run.out()).contains("follow:    on, a round every 120 s");
  }

  @Test
  void fromNotBeforeToIsBadInputAndNothingIsSent() {
    String topic = newTopic();

    CliRun run =
        CliRun.of(
            "request",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--tenant",
            "acme",
            "--mailbox",
            "ada@acme.example",
            "--from",
            "2025-01-01T00:00:00Z",
            "--to",
            "2025-01-01T00:00:00Z",
            "--topic",
            topic);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .contains("--from (2025-01-01T00:00:00Z) must be before --to (2025-01-01T00:00:00Z)");
    assertThat(run.out()).isEmpty();
    // The command sends synchronously, so anything sent would already be on the topic.
    assertThat(endOffset(topic)).isZero();
  }

  @Test
  void blankOrMissingFieldsAreBadInputBeforeAnyBrokerIsContacted() {
    // A closed port: had the command tried to send, it would exit 3, not 2.
    List<CliRun> runs =
        List.of(
            request("--tenant", " "),
            request("--mailbox", ""),
            request("--folder", " "),
            request("--from", "2024-01-01"),
            request("--timeout", "0s"),
            CliRun.of("request", "--bootstrap-servers", CLOSED_PORT, "--tenant", "acme"),
            CliRun.of(
                "request",
                "--bootstrap-servers",
                "localhost",
                "--tenant=acme",
                "--mailbox=m",
                "--from=2024-01-01T00:00:00Z",
                "--to=2025-01-01T00:00:00Z"));

    assertThat(runs).allSatisfy(run -> assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT));
    assertThat(runs).allSatisfy(run -> assertThat(run.err().lines()).hasSize(1));
    assertThat(runs.get(0).err()).contains("--tenant must not be blank");
    assertThat(runs.get(1).err()).contains("--mailbox must not be blank");
    assertThat(runs.get(2).err()).contains("--folder must not be blank");
    assertThat(runs.get(3).err()).contains("'2024-01-01' is not an ISO-8601 instant");
    assertThat(runs.get(4).err()).contains("--timeout must be more than zero");
    assertThat(runs.get(5).err()).contains("Missing required options");
    assertThat(runs.get(6).err()).contains("'localhost' is not HOST:PORT");
  }

  @Test
  void noBootstrapServersAnywhereIsBadInput() {
    CliRun run =
        CliRun.withEnv(
            Map.of("BACKFILL_BOOTSTRAP_SERVERS", " "),
            "request",
            "--tenant=acme",
            "--mailbox=m",
            "--from=2024-01-01T00:00:00Z",
            "--to=2025-01-01T00:00:00Z");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("BACKFILL_BOOTSTRAP_SERVERS");
  }

  @Test
  void anUnreachableBrokerExitsThreeWithinTheTimeout() {
    CliRun run = request("--timeout", "3s");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.BROKER_FAILED);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("backfill produce-request: ")
        .contains(CLOSED_PORT)
        .contains("backfill.requests");
    assertThat(run.out()).isEmpty();
    // 3 s of waiting plus producer start and close; nowhere near the 30 s default.
    assertThat(run.took()).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(10));
  }

  /** A valid request to the closed port, except that {@code option} is {@code value}. */
  private static CliRun request(String option, String value) {
    Map<String, String> options =
        new LinkedHashMap<>(
            Map.of(
                "--bootstrap-servers", CLOSED_PORT,
                "--tenant", "acme",
                "--mailbox", "ada@acme.example",
                "--from", "2024-01-01T00:00:00Z",
                "--to", "2025-01-01T00:00:00Z"));
    options.put(option, value);
    List<String> args = new ArrayList<>(List.of("request"));
    options.forEach((name, given) -> args.add(name + "=" + given));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static String newTopic() {
    String topic = TestTopics.unique("requests");
    broker.createTopic(topic, 1, Map.of());
    return topic;
  }

  private static ConsumerRecord<String, String> onlyRecordOf(String topic) {
    try (RecordTap tap = RecordTap.open(broker.bootstrapServers(), topic)) {
      List<ConsumerRecord<String, String>> records = tap.awaitCount(1, READ_TIMEOUT);
      assertThat(records).hasSize(1);
      return records.get(0);
    }
  }

  private static String printed(String label, CliRun run) {
    Matcher matcher = Pattern.compile("(?m)^\\s*" + label + ":\\s+(\\S+)").matcher(run.out());
    assertThat(matcher.find()).as("'%s:' in %s", label, run.out()).isTrue();
    return matcher.group(1);
  }

  private static long endOffset(String topic) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      TopicPartition partition = new TopicPartition(topic, 0);
      return admin
          .listOffsets(Map.of(partition, OffsetSpec.latest()))
          .partitionResult(partition)
          .get(30, TimeUnit.SECONDS)
          .offset();
    } catch (Exception e) {
      throw new AssertionError("cannot read the end offset of " + topic, e);
    }
  }
}
