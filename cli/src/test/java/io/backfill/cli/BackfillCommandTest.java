package io.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The top command and the commands that need no broker. */
class BackfillCommandTest {

  @Test
  void demoSaysItIsNotAvailableYet() {
    CliRun run = CliRun.of("demo");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_AVAILABLE);
    assertThat(run.err()).isEqualToIgnoringNewLines(DemoCommand.NOT_AVAILABLE);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void withoutASubcommandItIsAUsageError() {
    CliRun run = CliRun.of();

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).startsWith("backfill: Missing required subcommand");
  }

  @Test
  void anUnknownOptionIsAUsageErrorOnOneLine() {
    CliRun run =
        CliRun.of(
            "request",
            "--bootstrap-servers=127.0.0.1:1",
            "--tenat=acme",
            "--tenant=acme",
            "--mailbox=m",
            "--from=2024-01-01T00:00:00Z",
            "--to=2025-01-01T00:00:00Z");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).startsWith("backfill request: ").contains("--tenat");
  }

  @Test
  void helpListsTheSubcommandsAndExitsZero() {
    CliRun run = CliRun.of("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("request", "demo");
  }
}
