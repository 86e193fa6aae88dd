package io.backfill.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the outlook-simulator's jar (it needs no broker and no database). It lives here, not in
 * {@code stack}, because testkit depends on stack, so stack builds before any service jar exists.
 */
class ServiceNodeTest {

  private static final Path ROOT = Path.of(System.getProperty("backfill.project.root", ".."));
  private static final Path JAR =
      ROOT.resolve("outlook-simulator/target/quarkus-app/quarkus-run.jar");

  @TempDir Path dir;

  @Test
  void aKilledProcessStartsAgainOnTheSamePortAndReportsItsBuild() {
    ServiceNode node = node(Map.of("backfill.simulator.mailboxes", "a@b.example=10;seed=1"));
    try {
      node.start();
      String url = node.baseUrl();
      long firstPid = node.pid();
      assertThat(node.buildSha()).matches("[0-9a-f]{7,40}");

      node.kill();
      assertThat(node.isRunning()).isFalse();
      assertThat(Ports.accepts(node.port(), 500)).isFalse();
      node.start();

      assertThat(node.baseUrl()).isEqualTo(url);
      assertThat(node.pid()).isNotEqualTo(firstPid);
      assertThat(node.version().path("service").asText()).isEqualTo("outlook-simulator");
      assertThat(node.log()).isNotEmptyFile();
    } finally {
      node.stop();
    }
  }

  @Test
  void secretSettingsReachTheProcessFromAnOwnerOnlyFileAndNeverItsCommandLine() throws Exception {
    String key = "sk-cmdline-marker-" + Long.toHexString(System.nanoTime());
    ServiceNode node =
        node(
            Map.of(
                "backfill.simulator.mailboxes",
                "a@b.example=10;seed=1",
                "backfill.simulator.llm.keys.t1",
                key));
    try {
      node.start();

      String commandLine = Files.readString(Path.of("/proc/" + node.pid() + "/cmdline"));
      assertThat(commandLine).contains("backfill.simulator.mailboxes").doesNotContain(key);
      Path secrets = dir.resolve("run/config/application.properties");
      assertThat(Files.getPosixFilePermissions(secrets))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.readString(secrets)).contains(key);
      // The simulator took the key from the file: a chat call with it is not refused as unknown.
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/chat/completions"))
                      .header("Authorization", "Bearer " + key)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isNotEqualTo(401);
    } finally {
      node.stop();
    }
  }

  @Test
  void aFrozenProcessAnswersNothingUntilItIsThawedAndALaunchWithExtraSettingsIsForThatLaunchOnly() {
    ServiceNode node = node(Map.of("backfill.simulator.mailboxes", "a@b.example=10;seed=1"));
    try {
      node.startWith(
          Map.of("backfill.simulator.mailboxes", "a@b.example=10;seed=1,c@d.example=5"), Map.of());
      assertThat(node.ready()).isTrue();
      long pid = node.pid();

      node.freeze();
      assertThat(node.frozen()).isTrue();
      // Stopped by SIGSTOP: alive, same pid, but its readiness call times out.
      assertThat(node.isRunning()).isTrue();
      assertThat(node.ready()).isFalse();
      assertThat(Files.readString(Path.of("/proc/" + pid + "/stat")))
          .matches("\\d+ \\(.*\\) T .*\\s*");

      node.thaw();
      assertThat(node.ready()).isTrue();
      assertThat(node.pid()).isEqualTo(pid);
      String commandLine = readCommandLine(pid);
      assertThat(commandLine).contains("c@d.example=5");

      node.kill();
      node.start();
      assertThat(readCommandLine(node.pid())).doesNotContain("c@d.example");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      node.stop();
    }
  }

  private static String readCommandLine(long pid) throws java.io.IOException {
    return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
  }

  @Test
  void aProcessThatDiesWhileStartingIsReportedWithItsNameReasonAndLog() {
    ServiceNode node = node(Map.of("backfill.simulator.mailboxes", "not a mailbox list"));

    assertThatThrownBy(node::start)
        .isInstanceOf(StackStartException.class)
        .hasMessageStartingWith("sim did not start: the process exited with code")
        .hasMessageContaining("log: " + node.log())
        .hasMessageContaining("not a mailbox list")
        .satisfies(e -> assertThat(((StackStartException) e).part()).isEqualTo("sim"));
  }

  private ServiceNode node(Map<String, String> config) {
    return new ServiceNode(
        "sim",
        "outlook-simulator",
        JAR,
        dir.resolve("logs/sim.log"),
        dir.resolve("run"),
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        config,
        Map.of(),
        Duration.ofMinutes(2));
  }
}
