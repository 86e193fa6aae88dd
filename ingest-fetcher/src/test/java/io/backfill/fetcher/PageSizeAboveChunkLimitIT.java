package io.backfill.fetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.testkit.Postgres;
import io.backfill.testkit.ServiceProcess;
import io.backfill.testkit.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged fetcher, started with a Graph page larger than a chunk may hold, refuses to start:
 * the process exits with a failure and its log names both settings.
 */
class PageSizeAboveChunkLimitIT {

  private TestDatabase database;
  private Path log;

  @BeforeEach
  void setUp() throws IOException {
    database = Postgres.instance().createDatabase("fpagesize");
    log = Files.createTempFile("ingest-fetcher-page-size", ".log");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (database != null) {
      database.drop();
    }
    Files.deleteIfExists(log);
  }

  @Test
  void pageSizeAboveTheChunkLimitFailsTheStartNamingBothSettings()
      throws IOException, InterruptedException {
    Map<String, String> config =
        Map.of(
            "backfill.graph.page-size", "101",
            "quarkus.profile", "dev",
            "quarkus.http.port", "0",
            "quarkus.log.console.json.enabled", "false",
            "quarkus.datasource.jdbc.url", database.jdbcUrl(),
            "quarkus.datasource.username", database.username(),
            "quarkus.datasource.password", database.password(),
            // No broker: the start must fail on the page size before anything needs one.
            "kafka.bootstrap.servers", "127.0.0.1:1",
            "backfill.topics.create-at-startup", "false");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    config.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(ServiceProcess.runnableJar("ingest-fetcher").toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    boolean exited;
    try {
      exited = process.waitFor(2, TimeUnit.MINUTES);
    } finally {
      process.destroyForcibly();
    }

    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(exited).as("the fetcher exited by itself; its output:%n%s", output).isTrue();
    assertThat(process.exitValue()).isNotZero();
    assertThat(output).contains("backfill.graph.page-size=101").contains("Chunk.MAX_MESSAGES=100");
  }
}
