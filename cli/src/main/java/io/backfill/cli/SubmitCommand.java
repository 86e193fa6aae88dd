package io.backfill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.cli.gateway.GatewayClient;
import io.backfill.contracts.serde.EventJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code backfill submit}: asks the gateway to backfill a mailbox. The gateway validates the
 * request, publishes it and answers once the broker acknowledged it; the same idempotency key and
 * body always name the same job.
 */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = "Submits a backfill of one mailbox through the gateway and prints its job id.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:accepted (with --watch: and the job completed)",
      "2:bad input; nothing was sent",
      "4:gateway unreachable, not answering, or 5xx (503: its broker did not ack; retry with the"
          + " same --idempotency-key)",
      "5:the gateway rejected the request (400: one line per invalid field; 422: the key was used"
          + " for another request)",
      "6:no or a wrong API key",
      "9:with --watch: the job ended failed, cancelled or rejected"
    })
final class SubmitCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin GatewayOptions gateway;
  @Mixin GatewayOptions.ApiKey apiKey;
  @Mixin Output output;

  @Option(
      names = "--mailbox",
      required = true,
      paramLabel = "MAILBOX",
      description = "The mailbox's address.")
  String mailbox;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "DATE",
      description =
          "Mail received at or after this: 2024-01-01T00:00:00Z, or a date (UTC midnight).")
  String from;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "DATE",
      description = "Mail received before this: 2025-01-01T00:00:00Z, or a date (UTC midnight).")
  String to;

  @Option(
      names = "--folder",
      paramLabel = "FOLDER",
      description = "Well-known folder name or folder id. Default: all mail.")
  String folder;

  @Option(
      names = {"--idempotency-key", "--request-id"},
      paramLabel = "KEY",
      description =
          "Names the request: the same key and body give the same job, nothing submitted twice."
              + " Default: the gateway makes one up.")
  String idempotencyKey;

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
      names = {"-q", "--quiet"},
      description = "Print only the job id (JOB=$(backfill submit -q …)).")
  boolean quiet;

  @Option(
      names = "--watch",
      description = "Then watch the job like 'backfill watch' until it ends.")
  boolean watch;

  @Override
  public Integer call() {
    FollowOptions.check(
        follow, followInterval, message -> new ParameterException(spec.commandLine(), message));
    GatewayClient client = gateway.client(apiKey.require());
    ObjectNode body = EventJson.mapper().createObjectNode();
    body.put("mailbox", mailbox.strip()).put("from", from.strip()).put("to", to.strip());
    if (folder != null) {
      body.put("folder", folder.strip());
    }
    if (follow) {
      body.put("follow", true);
    }
    if (followInterval != null) {
      body.put("followIntervalSeconds", followInterval);
    }
    Map<String, String> headers =
        idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey.strip());
    JsonNode accepted = client.post("api/v1/backfills", body, headers).body();

    PrintWriter out = output.out();
    if (quiet) {
      out.println(accepted.path("jobId").asText());
      out.flush();
    } else {
      output.print(
          accepted,
          List.of(
              "Submitted a backfill of %s, received in [%s, %s)%s"
                  .formatted(
                      mailbox.strip(),
                      from.strip(),
                      to.strip(),
                      (folder == null ? "" : ", folder " + folder.strip())
                          + (follow
                              ? ", then followed" + FollowOptions.every(followInterval)
                              : "")),
              "  jobId:     " + accepted.path("jobId").asText(),
              "  requestId: " + accepted.path("requestId").asText(),
              "  status:    " + accepted.path("status").asText(),
              "  location:  " + accepted.path("location").asText()));
    }
    if (!watch) {
      return ExitCodes.OK;
    }
    return WatchCommand.watch(client, accepted.path("jobId").asText(), out, Duration.ofSeconds(2));
  }
}
