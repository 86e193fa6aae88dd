package io.backfill.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretSettingsTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "backfill.gateway.admin-token",
        "backfill.gateway.service-token",
        "backfill.gateway.secrets.master-key",
        "backfill.gateway.secrets.master-keys",
        "quarkus.datasource.password",
        "quarkus.oidc-client.credentials.client-secret.value",
        "backfill.simulator.graph.tenants.contoso-tenant.client-secret",
        "backfill.simulator.llm.keys.st-happy",
        "backfill.worker.credentials.service-token"
      })
  void credentialsAreSecret(String key) {
    assertThat(SecretSettings.isSecret(key)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kafka.bootstrap.servers",
        "quarkus.datasource.jdbc.url",
        "mp.messaging.incoming.run-events.key.deserializer",
        "backfill.graph.connections.cache-ttl",
        "backfill.simulator.mailboxes",
        "quarkus.oidc-client.client-id"
      })
  void otherSettingsAreNot(String key) {
    assertThat(SecretSettings.isSecret(key)).isFalse();
  }

  @Test
  void theFileIsReadableByItsOwnerOnlyAndReplacedOnEachWrite() throws Exception {
    Path file = dir.resolve("config/application.properties");

    SecretSettings.write(file, Map.of("backfill.gateway.admin-token", "first"));
    SecretSettings.write(file, Map.of("backfill.gateway.admin-token", "second"));

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(file))
        .contains("backfill.gateway.admin-token=second")
        .doesNotContain("first");
  }
}
