package io.backfill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code backfill pause|resume|cancel JOB}: asks the gateway to publish the command; the fetcher
 * and workers act on it shortly after (watch or status shows when).
 */
abstract class JobControlCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin GatewayOptions gateway;
  @Mixin GatewayOptions.ApiKey apiKey;
  @Mixin Output output;

  @Parameters(paramLabel = "JOB", description = "The job id.")
  String job;

  /**
   * {@code pause}, {@code resume}, {@code cancel} or {@code follow}: the command and the endpoint's
   * last step.
   */
  abstract String command();

  /** The request body; none but for follow's options. */
  JsonNode body() {
    return null;
  }

  @Override
  public Integer call() {
    String jobId = JobIds.parse(spec, job).value();
    JsonNode answer =
        gateway
            .client(apiKey.require())
            .post("api/v1/backfills/" + jobId + "/" + command(), body(), Map.of())
            .body();
    output.print(
        answer,
        List.of(
            "%s of job %s accepted: the command is on its way (command id %s)"
                .formatted(capitalised(command()), jobId, answer.path("commandId").asText("-"))));
    return ExitCodes.OK;
  }

  private static String capitalised(String word) {
    return Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description =
          "Pauses a pending, running or timed-out job, or a completed job's following; resume"
              + " picks it up where it was.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:the pause was published",
        "2:bad input",
        "4:gateway unreachable, not answering, or its broker did not ack (503)",
        "6:no or a wrong API key",
        "7:no such job for this tenant",
        "8:the job's state does not allow it (already paused, completed, …)"
      })
  static final class Pause extends JobControlCommand {
    @Override
    String command() {
      return "pause";
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description =
          "Resumes a pending, paused, failed, cancelled or timed-out job, or a completed job's"
              + " paused following.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:the resume was published",
        "2:bad input",
        "4:gateway unreachable, not answering, or its broker did not ack (503)",
        "6:no or a wrong API key",
        "7:no such job for this tenant",
        "8:the job's state does not allow it (completed and not followed, rejected)"
      })
  static final class Resume extends JobControlCommand {
    @Override
    String command() {
      return "resume";
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Cancels a job that has not ended, or ends a completed job's following.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:the cancel was published",
        "2:bad input",
        "4:gateway unreachable, not answering, or its broker did not ack (503)",
        "6:no or a wrong API key",
        "7:no such job for this tenant",
        "8:the job already ended (completed, cancelled or rejected)"
      })
  static final class Cancel extends JobControlCommand {
    @Override
    String command() {
      return "cancel";
    }
  }

  @Command(
      name = "follow",
      mixinStandardHelpOptions = true,
      description =
          "Follows a completed job's mailbox from now on: Graph delta rounds keep its copy"
              + " current (the first round lists every folder again; unchanged messages are not"
              + " extracted again). 'status' shows the rounds, lag and changes.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:the follow was published",
        "2:bad input",
        "4:gateway unreachable, not answering, or its broker did not ack (503)",
        "5:the gateway refused the interval (400)",
        "6:no or a wrong API key",
        "7:no such job for this tenant",
        "8:the job is not completed, or is already followed (or its following ended)"
      })
  static final class Follow extends JobControlCommand {

    @picocli.CommandLine.Option(
        names = "--follow-interval",
        paramLabel = "SECONDS",
        description = "Seconds between delta rounds, 1 to 86400. Default: the fetcher's.")
    Integer followInterval;

    @Override
    String command() {
      return "follow";
    }

    @Override
    JsonNode body() {
      if (followInterval == null) {
        return null;
      }
      FollowOptions.checkInterval(
          followInterval,
          message -> new picocli.CommandLine.ParameterException(spec.commandLine(), message));
      return io.backfill.contracts.serde.EventJson.mapper()
          .createObjectNode()
          .put("followIntervalSeconds", followInterval);
    }
  }
}
