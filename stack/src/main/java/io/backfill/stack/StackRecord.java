package io.backfill.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The record of a running stack in {@code <workDir>/stack.json} (pids, URLs, logs), so that another
 * JVM ({@code ./backfill down}) can stop a stack {@code ./backfill up} left running.
 */
final class StackRecord {

  private static final System.Logger LOG = System.getLogger(StackRecord.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private StackRecord() {}

  static void write(
      Path file,
      StackConfig config,
      KafkaBrokerProcess kafka,
      PostgresServer postgres,
      List<ServiceNode> processes) {
    ObjectNode state = JSON.createObjectNode();
    state.put("startedAt", Instant.now().toString());
    state.put("database", config.databaseName);
    state.put("dropDatabaseOnClose", config.dropDatabaseOnClose);
    state.put("jdbcUrl", postgres.jdbcUrl(config.databaseName));
    state.put("embeddedPostgres", postgres.embedded());
    ObjectNode parts = state.putObject("processes");
    ObjectNode broker = parts.putObject("kafka");
    broker.put("pid", kafka.pid());
    broker.put("bootstrapServers", kafka.bootstrapServers());
    broker.put("log", kafka.log().toString());
    for (ServiceNode node : processes) {
      ObjectNode part = parts.putObject(node.name());
      part.put("pid", node.pid());
      part.put("url", node.baseUrl());
      part.put("log", node.log().toString());
    }
    try {
      JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), state);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cannot write " + file, e);
    }
  }

  static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cannot delete " + file, e);
    }
  }

  /**
   * Stops the recorded processes (SIGTERM, SIGKILL after 30 s), services before the broker, and
   * deletes the record. Returns the names of the processes stopped; none when there is no record.
   */
  static List<String> stopRecorded(Path file) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    JsonNode state;
    try {
      state = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + file, e);
    }
    List<String> names = new ArrayList<>();
    state.path("processes").fieldNames().forEachRemaining(names::add);
    // Recorded simulator-first, broker at the very start: stop in reverse, broker last.
    List<String> order = new ArrayList<>(names);
    order.remove("kafka");
    Collections.reverse(order);
    order.add("kafka");
    List<String> stopped = new ArrayList<>();
    for (String name : order) {
      long pid = state.path("processes").path(name).path("pid").asLong(-1);
      Optional<ProcessHandle> handle = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
      // A recycled pid belongs to some other program: only a java process is ours.
      if (handle.isPresent()
          && handle.get().isAlive()
          && handle.get().info().command().map(c -> c.endsWith("java")).orElse(false)) {
        handle.get().destroy();
        try {
          handle.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          handle.get().destroyForcibly();
        } catch (ExecutionException e) {
          throw new IllegalStateException("Cannot wait for " + name + " (pid " + pid + ")", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted stopping " + name, e);
        }
        stopped.add(name);
      }
    }
    delete(file);
    return stopped;
  }
}
