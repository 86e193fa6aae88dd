package io.backfill.cli;

import io.backfill.cli.gateway.GatewayClient;
import io.backfill.cli.watch.JobWatcher;
import io.backfill.cli.watch.ProgressDisplay;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code backfill watch JOB}: a live progress bar of one job, fed by the gateway's event stream,
 * with a line for each notable event (a retry, a timeout with its diagnosis, a failure), until the
 * job ends.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = {
      "Shows a live progress bar of a job until it ends, with a line for each retry, timeout (with"
          + " its diagnosis), failure and stall.",
      "On a terminal the bar redraws in place; piped, it prints a line when its numbers changed."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the job completed (possibly with failed chunks: see the summary)",
      "2:bad input",
      "4:gateway unreachable, or it stopped answering",
      "6:no or a wrong API key",
      "7:no such job for this tenant",
      "9:the job ended failed, cancelled or rejected"
    })
final class WatchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin GatewayOptions gateway;
  @Mixin GatewayOptions.ApiKey apiKey;

  @Parameters(paramLabel = "JOB", description = "The job id.")
  String job;

  @Option(
      names = "--status-interval",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description =
          "How often the full status is read, for timeouts, retries and counts. Default: 2s.")
  Duration statusInterval;

  @Override
  public Integer call() {
    String jobId = JobIds.parse(spec, job).value();
    if (statusInterval.toMillis() < 100) {
      throw new ParameterException(spec.commandLine(), "--status-interval must be at least 100ms");
    }
    return watch(
        gateway.client(apiKey.require()), jobId, spec.commandLine().getOut(), statusInterval);
  }

  /** Watches {@code jobId} on {@code out}; the exit code says how the job ended. */
  static int watch(GatewayClient client, String jobId, PrintWriter out, Duration statusInterval) {
    JobWatcher.Outcome outcome =
        new JobWatcher(client, jobId, ProgressDisplay.forConsole(out), statusInterval).watch();
    return outcome.completed() ? ExitCodes.OK : ExitCodes.JOB_NOT_COMPLETED;
  }
}
