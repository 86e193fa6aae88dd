package io.backfill.cli;

import io.backfill.stack.LocalStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code backfill down}: stops the local stack {@code up} left running. */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description =
        "Stops the local stack that './backfill up' left running (SIGTERM, SIGKILL after 30 s;"
            + " services first, the broker last) and removes .backfill/env.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped, or nothing was up", "2:bad input"})
final class DownCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--project-root",
      paramLabel = "DIR",
      description =
          "The checkout whose .backfill/ records the stack. Default: $BACKFILL_PROJECT_ROOT (set"
              + " by ./backfill), else the current directory.")
  Path projectRoot;

  @Override
  public Integer call() {
    BackfillCommand root = (BackfillCommand) spec.root().userObject();
    Path workDir = StackOptions.root(spec, projectRoot, root.env()).resolve(".backfill");
    PrintWriter out = spec.commandLine().getOut();
    List<String> stopped = LocalStack.stopRecorded(workDir);
    try {
      Files.deleteIfExists(workDir.resolve(UpCommand.ENV_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + workDir.resolve(UpCommand.ENV_FILE), e);
    }
    out.println(
        stopped.isEmpty()
            ? "No local stack is up."
            : "Stopped " + String.join(", ", stopped) + ".");
    out.flush();
    return ExitCodes.OK;
  }
}
