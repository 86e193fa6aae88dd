package io.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * demo, up and down up to the point where they would start processes: the checks before, and the
 * failures that say which part and why. The running stack itself is exercised by system-tests.
 */
class LocalStackCommandsTest {

  @TempDir Path checkout;

  @Test
  void aStackWhosePartCannotStartExitsTenNamingThePartAndHowToBuildIt() throws IOException {
    fakeCheckoutWithoutJars();

    CliRun run = CliRun.of("demo", "--project-root", checkout.toString(), "--messages", "10");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.STACK_FAILED);
    assertThat(run.err())
        .startsWith("backfill demo: outlook-simulator did not start: ")
        .contains("quarkus-run.jar does not exist")
        .contains("./mvnw -B -pl outlook-simulator -am package -DskipTests");
  }

  @Test
  void theProjectRootCanComeFromTheLauncherAndMustBeACheckout() throws IOException {
    CliRun notACheckout =
        CliRun.withEnv(Map.of("BACKFILL_PROJECT_ROOT", checkout.toString()), "demo");
    fakeCheckoutWithoutJars();
    CliRun fromLauncher =
        CliRun.withEnv(Map.of("BACKFILL_PROJECT_ROOT", checkout.toString()), "demo");

    assertThat(notACheckout.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(notACheckout.err()).contains("is not a Backfill checkout");
    assertThat(fromLauncher.exitCode()).isEqualTo(ExitCodes.STACK_FAILED);
  }

  @Test
  void sizesOutsideTheirRangeAreBadInput() throws IOException {
    fakeCheckoutWithoutJars();
    String root = "--project-root=" + checkout;

    CliRun noMessages = CliRun.of("demo", root, "--messages", "0");
    CliRun noWorkers = CliRun.of("up", root, "--workers", "0");

    assertThat(noMessages.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(noMessages.err()).contains("--messages must be 1 to 1,000,000, was 0");
    assertThat(noWorkers.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(noWorkers.err()).contains("--workers must be 1 to 8, was 0");
  }

  @Test
  void upRefusesWhileARecordedStackIsStillRunning() throws IOException {
    fakeCheckoutWithoutJars();
    // This test's own JVM stands in for a live process of the recorded stack.
    long live = ProcessHandle.current().pid();
    Files.createDirectories(checkout.resolve(".backfill"));
    Files.writeString(
        checkout.resolve(".backfill/stack.json"),
        "{\"processes\":{\"kafka\":{\"pid\":" + live + "}}}");

    CliRun run = CliRun.of("up", "--project-root", checkout.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFLICT);
    assertThat(run.err())
        .contains("a stack is already up (pid " + live)
        .contains("./backfill down");
  }

  @Test
  void downWithNothingUpSaysSoAndRemovesAStaleEnvFile() throws IOException {
    fakeCheckoutWithoutJars();
    Files.createDirectories(checkout.resolve(".backfill"));
    Files.writeString(checkout.resolve(".backfill/env"), "export BACKFILL_GATEWAY=http://x\n");

    CliRun run = CliRun.of("down", "--project-root", checkout.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).isEqualToIgnoringNewLines("No local stack is up.");
    assertThat(checkout.resolve(".backfill/env")).doesNotExist();
  }

  private void fakeCheckoutWithoutJars() throws IOException {
    Files.writeString(checkout.resolve("pom.xml"), "<project/>");
    Files.createDirectories(checkout.resolve("stack"));
  }
}
