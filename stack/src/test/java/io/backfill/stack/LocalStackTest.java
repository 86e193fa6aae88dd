package io.backfill.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackTest {

  @TempDir Path dir;

  @Test
  void aMissingJarIsNamedWithTheCommandThatBuildsIt() throws Exception {
    Files.createDirectories(dir.resolve("outlook-simulator/target/quarkus-app"));
    StackConfig config = StackConfig.builder().projectRoot(dir).build();

    assertThatThrownBy(() -> LocalStack.start(config))
        .isInstanceOf(StackStartException.class)
        .hasMessageContaining("outlook-simulator did not start")
        .hasMessageContaining("quarkus-run.jar does not exist")
        .hasMessageContaining("./mvnw -B -pl outlook-simulator -am package");
  }

  @Test
  void stoppingWithoutARecordedStackStopsNothing() {
    assertThat(LocalStack.stopRecorded(dir)).isEmpty();
  }

  @Test
  void aFreshDatabaseIsDroppedOnCloseAndANamedOneIsKept() {
    assertThat(StackConfig.builder().build().dropDatabaseOnClose).isTrue();
    assertThat(StackConfig.builder().build().databaseName()).matches("backfill_[0-9a-f]{8}");
    StackConfig named = StackConfig.builder().database("backfill").build();
    assertThat(named.databaseName()).isEqualTo("backfill");
    assertThat(named.dropDatabaseOnClose).isFalse();
  }

  @Test
  void moduleEnvironmentIsKeptPerModule() {
    StackConfig config =
        StackConfig.builder()
            .moduleEnv(LocalStack.WORKER, "BACKFILL_WORKER_SEQUENTIAL", "true")
            .moduleEnv(LocalStack.WORKER, "BACKFILL_WORKER_EMBEDDING_ENABLED", "false")
            .build();

    assertThat(config.moduleEnvironment)
        .containsOnlyKeys(LocalStack.WORKER)
        .extractingByKey(LocalStack.WORKER)
        .isEqualTo(
            java.util.Map.of(
                "BACKFILL_WORKER_SEQUENTIAL",
                "true",
                "BACKFILL_WORKER_EMBEDDING_ENABLED",
                "false"));
  }
}
