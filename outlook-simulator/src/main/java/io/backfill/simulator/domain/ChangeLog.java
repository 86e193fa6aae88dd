package io.backfill.simulator.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The state log of a state directory: one file per mailbox, one JSON object per line — first the
 * mailbox (spec and epoch), then every change (deliver, update, move, delete, expire) with the
 * values it was made with (times, new ids), so replaying it gives the same mailbox and the same
 * sync states. Regenerating a mailbox starts its file again.
 */
public final class ChangeLog {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUFFIX = ".jsonl";

  private final Path dir;

  public ChangeLog(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state directory " + dir, e);
    }
  }

  public static ObjectNode entry(String op) {
    ObjectNode node = JSON.createObjectNode();
    node.put("op", op);
    return node;
  }

  /** Starts a mailbox's log afresh with its header. */
  public void start(Mailbox mailbox) {
    ObjectNode header = entry("mailbox");
    header.put("address", mailbox.address());
    header.put("size", mailbox.spec().size());
    header.put("seed", mailbox.spec().seed());
    if (mailbox.spec().tenant() != null) {
      header.put("tenant", mailbox.spec().tenant());
    }
    header.put("epoch", mailbox.epoch());
    write(mailbox.address(), header, false);
  }

  public void append(String address, ObjectNode entry) {
    write(address, entry, true);
  }

  /** The entries of every mailbox log in the directory, header first. */
  public List<List<JsonNode>> readAll() {
    List<List<JsonNode>> logs = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(SUFFIX)).sorted().toList()) {
        List<JsonNode> entries = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            entries.add(JSON.readTree(line));
          }
        }
        if (!entries.isEmpty() && "mailbox".equals(entries.get(0).path("op").asText())) {
          logs.add(entries);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read state directory " + dir, e);
    }
    return logs;
  }

  private void write(String address, ObjectNode entry, boolean append) {
    Path file = dir.resolve(URLEncoder.encode(address, StandardCharsets.UTF_8) + SUFFIX);
    try {
      byte[] line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
      if (append) {
        Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } else {
        Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write state log " + file, e);
    }
  }
}
