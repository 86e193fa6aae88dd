package io.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The top command and what every command checks before it calls anything. */
class BackfillCommandTest {

  /** Nothing listens on port 1: connections are refused at once. */
  private static final String CLOSED_GATEWAY = "http://127.0.0.1:1";

  private static final String JOB = "6f1c2b7e-8a4d-4c1e-9f0a-0123456789ab";

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
    assertThat(run.err()).startsWith("backfill produce-request: ").contains("--tenat");
  }

  @Test
  void helpListsEverySubcommandAndTheExitCodesAndExitsZero() {
    CliRun run = CliRun.of("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains(
            "submit",
            "status",
            "watch",
            "list",
            "pause",
            "resume",
            "cancel",
            "lag",
            "fleet",
            "tenant",
            "secret",
            "produce-request",
            "demo")
        .contains("BACKFILL_GATEWAY", "9 the watched job did not complete");
  }

  @Test
  void everyCommandHasHelpWithItsExitCodes() {
    List<List<String>> commands =
        List.of(
            List.of("submit"),
            List.of("status"),
            List.of("watch"),
            List.of("list"),
            List.of("pause"),
            List.of("resume"),
            List.of("cancel"),
            List.of("lag"),
            List.of("fleet"),
            List.of("tenant", "create"),
            List.of("tenant", "add-key"),
            List.of("secret", "put"),
            List.of("secret", "delete"),
            List.of("produce-request"),
            List.of("demo"),
            List.of("up"),
            List.of("down"));

    for (List<String> command : commands) {
      CliRun run =
          CliRun.of(Stream.concat(command.stream(), Stream.of("--help")).toArray(String[]::new));
      assertThat(run.exitCode()).as("%s --help", command).isZero();
      assertThat(run.out())
          .as("%s --help", command)
          .contains("Usage: backfill " + String.join(" ", command))
          .contains("Exit codes:");
    }
  }

  @Test
  void requestIsStillAnAliasOfProduceRequest() {
    CliRun run = CliRun.of("request", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: backfill produce-request");
  }

  @Test
  void gatewayCommandsWithoutAGatewayOrKeyAreBadInputNamingTheVariable() {
    CliRun noGateway = CliRun.withEnv(Map.of("BACKFILL_API_KEY", "bfk_x"), "status", JOB);
    CliRun noKey = CliRun.withEnv(Map.of("BACKFILL_GATEWAY", CLOSED_GATEWAY), "status", JOB);
    CliRun noAdmin = CliRun.withEnv(Map.of("BACKFILL_GATEWAY", CLOSED_GATEWAY), "lag");
    CliRun badUrl =
        CliRun.withEnv(Map.of("BACKFILL_API_KEY", "bfk_x"), "status", "--gateway=ftp://x", JOB);
    CliRun badJob =
        CliRun.withEnv(
            Map.of("BACKFILL_GATEWAY", CLOSED_GATEWAY, "BACKFILL_API_KEY", "bfk_x"),
            "pause",
            "not-a-job");

    assertThat(List.of(noGateway, noKey, noAdmin, badUrl, badJob))
        .allSatisfy(
            run -> {
              assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.BAD_INPUT);
              assertThat(run.err().lines()).hasSize(1);
            });
    assertThat(noGateway.err()).contains("--gateway is required (or set BACKFILL_GATEWAY)");
    assertThat(noKey.err()).contains("--api-key is required (or set BACKFILL_API_KEY)");
    assertThat(noAdmin.err()).contains("--admin-token is required (or set BACKFILL_ADMIN_TOKEN)");
    assertThat(badUrl.err()).contains("'ftp://x' is not an http(s)://HOST[:PORT] URL");
    assertThat(badJob.err()).startsWith("backfill pause: JOB: 'not-a-job' is not a job id");
  }

  @Test
  void anUnreachableGatewayExitsFourWithinTheTimeoutSayingWhere() {
    CliRun run =
        CliRun.of(
            "status", "--gateway", CLOSED_GATEWAY, "--api-key", "bfk_x", "--timeout", "3s", JOB);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.GATEWAY_UNAVAILABLE);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("backfill status: gateway unreachable at " + CLOSED_GATEWAY)
        .contains("connection refused");
    assertThat(run.out()).isEmpty();
    assertThat(run.took()).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void secretPutWithoutAValueIsBadInputAndCallsNothing() {
    CliRun run =
        CliRun.withInput(
            Map.of("BACKFILL_GATEWAY", CLOSED_GATEWAY, "BACKFILL_API_KEY", "bfk_x"),
            "\n",
            "secret",
            "put",
            "OPENAI_API_KEY");

    // Exit 2, not 4: the closed gateway was never called.
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("no value for OPENAI_API_KEY");
  }
}
