package io.backfill.cli;

import io.backfill.contracts.id.JobId;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks a job id before it goes into a URL: a typo is bad input, not a 404 from the gateway. */
final class JobIds {

  private JobIds() {}

  static JobId parse(CommandSpec spec, String value) {
    try {
      return new JobId(value == null ? null : value.strip());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "JOB: '" + value + "' is not a job id (a lower-case UUID)");
    }
  }
}
