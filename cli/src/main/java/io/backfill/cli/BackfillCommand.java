package io.backfill.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The top command. It does nothing by itself: without a subcommand picocli reports a missing
 * subcommand as a usage error (exit 2).
 */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    versionProvider = CliVersion.class,
    description = "Backfills Outlook mail into a tenant's memory over Kafka.",
    subcommands = {RequestCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class BackfillCommand {

  /**
   * The command line to execute, with {@code env} as the source of environment-variable defaults
   * (tests pass their own map instead of the process environment).
   */
  public static CommandLine commandLine(Map<String, String> env) {
    CommandLine commandLine = new CommandLine(new BackfillCommand());
    // Set after the subcommands exist: both settings are copied down to them at this point.
    commandLine.setDefaultValueProvider(new EnvironmentDefaults(env));
    commandLine.setParameterExceptionHandler(new UsageErrorHandler());
    return commandLine;
  }
}
