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

  /** {@code pause}, {@code resume} or {@code cancel}: the command and the endpoint's last step. */
  abstract String command();

  @Override
  public Integer call() {
    String jobId = JobIds.parse(spec, job).value();
    JsonNode answer =
        gateway
            .client(apiKey.require())
            .post("api/v1/backfills/" + jobId + "/" + command(), null, Map.of())
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
      description = "Pauses a pending, running or timed-out job; resume picks it up where it was.",
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
      description = "Resumes a pending, paused, failed, cancelled or timed-out job.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:the resume was published",
        "2:bad input",
        "4:gateway unreachable, not answering, or its broker did not ack (503)",
        "6:no or a wrong API key",
        "7:no such job for this tenant",
        "8:the job's state does not allow it (running, completed, rejected)"
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
      description = "Cancels a job that has not ended.",
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
}
