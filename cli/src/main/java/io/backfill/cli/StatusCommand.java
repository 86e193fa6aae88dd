package io.backfill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.format.StatusReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code backfill status JOB}: one job's status, progress, runs, timeouts and errors. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Prints a job's status: progress, counts, active attempts, timeouts with their diagnosis"
            + " and the last errors.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:printed (whatever the job's state)",
      "2:bad input",
      "4:gateway unreachable or not answering",
      "6:no or a wrong API key",
      "7:no such job for this tenant"
    })
final class StatusCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin GatewayOptions gateway;
  @Mixin GatewayOptions.ApiKey apiKey;
  @Mixin Output output;

  @Parameters(paramLabel = "JOB", description = "The job id.")
  String job;

  @Override
  public Integer call() {
    String jobId = JobIds.parse(spec, job).value();
    JsonNode status = gateway.client(apiKey.require()).get("api/v1/backfills/" + jobId);
    output.print(status, StatusReport.lines(status));
    return ExitCodes.OK;
  }
}
