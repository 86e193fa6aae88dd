package io.backfill.cli;

import java.io.Console;
import java.io.InputStream;
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
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  BACKFILL_GATEWAY       the gateway's URL (--gateway)",
      "  BACKFILL_API_KEY       a tenant's API key (--api-key)",
      "  BACKFILL_ADMIN_TOKEN   the gateway's admin token (--admin-token)",
      "  BACKFILL_BOOTSTRAP_SERVERS  Kafka brokers (--bootstrap-servers)",
      "%nExit codes: 0 ok, 1 unexpected error, 2 bad input, 3 Kafka failed, 4 gateway unreachable"
          + " or 5xx, 5 rejected by the gateway (400/422), 6 not allowed (401/403), 7 not found,"
          + " 8 conflict (409), 9 the watched job did not complete, 10 the local stack did not"
          + " start, 11 the demo's counts differ from the ground truth."
    },
    subcommands = {
      SubmitCommand.class,
      StatusCommand.class,
      WatchCommand.class,
      ListCommand.class,
      JobControlCommand.Pause.class,
      JobControlCommand.Resume.class,
      JobControlCommand.Cancel.class,
      JobControlCommand.Follow.class,
      LagCommand.class,
      FleetCommand.class,
      TenantCommand.class,
      SecretCommand.class,
      RequestCommand.class,
      DemoCommand.class,
      UpCommand.class,
      DownCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class BackfillCommand {

  private final Map<String, String> env;
  private final InputStream in;
  private final Console console;

  private BackfillCommand(Map<String, String> env, InputStream in, Console console) {
    this.env = Map.copyOf(env);
    this.in = in;
    this.console = console;
  }

  /** The command line of this process: its environment, stdin and console. */
  public static CommandLine commandLine(Map<String, String> env) {
    return commandLine(env, System.in, System.console());
  }

  /**
   * The command line to execute, with {@code env} as the source of environment-variable defaults
   * and {@code in} as stdin (tests pass their own; a null console means no hidden prompts).
   */
  public static CommandLine commandLine(Map<String, String> env, InputStream in, Console console) {
    CommandLine commandLine = new CommandLine(new BackfillCommand(env, in, console));
    // Set after the subcommands exist: these settings are copied down to them at this point.
    commandLine.setDefaultValueProvider(new EnvironmentDefaults(env));
    commandLine.setParameterExceptionHandler(new UsageErrorHandler());
    commandLine.setExecutionExceptionHandler(new GatewayErrorHandler());
    return commandLine;
  }

  Map<String, String> env() {
    return env;
  }

  InputStream in() {
    return in;
  }

  Console console() {
    return console;
  }
}
