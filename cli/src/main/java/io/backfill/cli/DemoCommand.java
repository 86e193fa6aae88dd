package io.backfill.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Placeholder for the one-command local demo, so the command is discoverable already. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Runs the local stack and a demo backfill (not available yet).")
final class DemoCommand implements Callable<Integer> {

  static final String NOT_AVAILABLE =
      "backfill demo: not available yet — it arrives with the CLI/local-stack issue; see README";

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println(NOT_AVAILABLE);
    return ExitCodes.NOT_AVAILABLE;
  }
}
