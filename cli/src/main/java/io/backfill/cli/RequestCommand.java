package io.backfill.cli;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.topic.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code backfill request}: puts a {@link BackfillRequested} on the requests topic, straight to
 * Kafka, and prints the job it names. The same tenant and request id always name the same job, so
 * re-running with the same {@code --request-id} is safe.
 */
@Command(
    name = "produce-request",
    aliases = "request",
    mixinStandardHelpOptions = true,
    description =
        "Publishes a BackfillRequested for one mailbox straight onto Kafka (what producers do),"
            + " and prints its job id. Alias: request.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:sent and acknowledged by the broker",
      "2:bad input; nothing was sent",
      "3:broker unreachable, or the record was not acknowledged in time"
    })
final class RequestCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Kafka brokers. Default: $BACKFILL_BOOTSTRAP_SERVERS.")
  String bootstrapServers;

  @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "Tenant id.")
  String tenant;

  @Option(
      names = "--mailbox",
      required = true,
      paramLabel = "MAILBOX",
      description = "User principal name (address) or Graph user id.")
  String mailbox;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "INSTANT",
      converter = InstantConverter.class,
      description = "Mail received at or after this instant, e.g. 2024-01-01T00:00:00Z.")
  Instant from;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "INSTANT",
      converter = InstantConverter.class,
      description = "Mail received before this instant, e.g. 2025-01-01T00:00:00Z.")
  Instant to;

  @Option(
      names = "--folder",
      paramLabel = "FOLDER",
      description = "Well-known folder name or folder id. Default: all mail.")
  String folder;

  @Option(
      names = "--follow",
      description =
          "Keep the copy current after the history (Graph delta rounds): mail received from"
              + " --from on, --to included and beyond.")
  boolean follow;

  @Option(
      names = "--follow-interval",
      paramLabel = "SECONDS",
      description =
          "Seconds between delta rounds, 1 to 86400 (with --follow). Default: the fetcher's.")
  Integer followInterval;

  @Option(
      names = "--request-id",
      paramLabel = "ID",
      description = "Idempotency key of this request. Default: a new random UUID.")
  String requestId;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      defaultValue = Topics.BACKFILL_REQUESTS,
      description = "Topic to publish to. Default: ${DEFAULT-VALUE}.")
  String topic;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Give up when the broker has not acknowledged within this. Default: 30s.")
  Duration timeout;

  @Override
  public Integer call() {
    String servers = checkedBootstrapServers();
    BackfillRequested request = checkedRequest();
    JobId jobId = JobId.derive(request.tenantId(), request.requestId());

    Delivery delivery;
    try {
      delivery = new RequestPublisher(servers, timeout).publish(topic, request);
    } catch (PublishFailedException e) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
      return ExitCodes.BROKER_FAILED;
    }

    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "Requested backfill of %s for tenant %s, received in [%s, %s)%s%n",
        request.mailbox(),
        request.tenantId(),
        request.from(),
        request.to(),
        request.folder() == null ? "" : ", folder " + request.folder());
    if (request.followed()) {
      out.printf("  follow:    on%s%n", FollowOptions.every(request.followIntervalSeconds()));
    }
    out.printf("  jobId:     %s%n", jobId);
    out.printf("  requestId: %s%s%n", request.requestId(), requestId == null ? " (generated)" : "");
    out.printf(
        "  sent to:   %s partition %d offset %d%n",
        delivery.topic(), delivery.partition(), delivery.offset());
    out.flush();
    return ExitCodes.OK;
  }

  private String checkedBootstrapServers() {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw invalid("--bootstrap-servers is required (or set BACKFILL_BOOTSTRAP_SERVERS)");
    }
    try {
      return BootstrapServers.check(bootstrapServers);
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
  }

  private BackfillRequested checkedRequest() {
    notBlank(tenant, "--tenant");
    notBlank(mailbox, "--mailbox");
    notBlank(topic, "--topic");
    if (folder != null) {
      notBlank(folder, "--folder");
    }
    if (requestId != null) {
      notBlank(requestId, "--request-id");
    }
    if (!from.isBefore(to)) {
      throw invalid("--from (" + from + ") must be before --to (" + to + ")");
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw invalid("--timeout must be more than zero, was " + DurationConverter.format(timeout));
    }
    FollowOptions.check(follow, followInterval, this::invalid);
    String id = requestId == null ? UUID.randomUUID().toString() : requestId.strip();
    try {
      return follow
          ? BackfillRequested.following(
              tenant.strip(), id, mailbox.strip(), from, to, stripped(folder), followInterval)
          : BackfillRequested.of(tenant.strip(), id, mailbox.strip(), from, to, stripped(folder));
    } catch (IllegalArgumentException e) {
      // The contract's own checks: a safety net behind the ones above.
      throw invalid(e.getMessage());
    }
  }

  private void notBlank(String value, String option) {
    if (value.isBlank()) {
      throw invalid(option + " must not be blank");
    }
  }

  private static String stripped(String value) {
    return value == null ? null : value.strip();
  }

  private ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
