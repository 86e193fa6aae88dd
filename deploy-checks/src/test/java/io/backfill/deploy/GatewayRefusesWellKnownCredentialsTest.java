package io.backfill.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.Postgres;
import io.backfill.testkit.ServiceProcess;
import io.backfill.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged gateway, launched the way compose and Kubernetes launch it (production profile,
 * configuration by environment), with the admin token an old compose file shipped as its default:
 * it must refuse to start and name the property, instead of serving the admin API behind a token
 * anyone can read.
 */
class GatewayRefusesWellKnownCredentialsTest {

  @Test
  void gatewayInProductionExitsNamingTheAdminTokenWhenItIsAWellKnownDefault() throws Exception {
    Path output = Files.createTempFile("api-gateway-", ".log");
    try (TestDatabase database = Postgres.instance().createDatabase("deploy_checks_guard")) {
      // Everything else valid, so that the admin token is the only reason to refuse.
      Map<String, String> environment =
          Map.of(
              "QUARKUS_PROFILE", "prod",
              "QUARKUS_HTTP_PORT", String.valueOf(RunningStack.freePort()),
              "BACKFILL_GATEWAY_INTERNAL_PORT", String.valueOf(RunningStack.freePort()),
              "KAFKA_BOOTSTRAP_SERVERS", KafkaBroker.shared().bootstrapServers(),
              "BACKFILL_DB_URL", database.jdbcUrl(),
              "BACKFILL_DB_USER", database.username(),
              "BACKFILL_DB_PASSWORD", database.password(),
              "BACKFILL_SERVICE_TOKEN", RunningStack.randomToken(),
              "BACKFILL_MASTER_KEY", RunningStack.randomMasterKey(),
              "BACKFILL_ADMIN_TOKEN", "local-admin-token");
      ProcessBuilder launch =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx256m",
                  "-XX:TieredStopAtLevel=1",
                  "-jar",
                  ServiceProcess.runnableJar("api-gateway").toString())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      launch.environment().putAll(environment);
      Process gateway = launch.start();
      try {
        assertThat(gateway.waitFor(60, TimeUnit.SECONDS))
            .as("expected the gateway to exit within 60 s; its output:\n%s", tail(output))
            .isTrue();
        assertThat(gateway.exitValue()).as("exit code").isNotZero();
        assertThat(Files.readString(output))
            .as("the gateway names the refused property")
            .contains("backfill.gateway.admin-token");
      } finally {
        gateway.destroyForcibly().waitFor();
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String tail(Path output) throws java.io.IOException {
    List<String> lines = Files.readAllLines(output);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }
}
