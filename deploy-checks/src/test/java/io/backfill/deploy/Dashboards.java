package io.backfill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The Grafana dashboards in deploy/grafana/dashboards and their panels' queries. */
final class Dashboards {

  record Query(String dashboard, String panel, String datasourceType, String text) {}

  private Dashboards() {}

  static List<Path> files() {
    try (Stream<Path> files = Files.list(Repository.file("deploy/grafana/dashboards"))) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Query> queries() {
    List<Query> queries = new ArrayList<>();
    for (Path file : files()) {
      JsonNode dashboard = Repository.json(file);
      for (JsonNode panel : dashboard.get("panels")) {
        String type = panel.path("datasource").path("type").asText();
        for (JsonNode target : panel.get("targets")) {
          String text =
              target.has("expr") ? target.get("expr").asText() : target.get("rawSql").asText();
          queries.add(
              new Query(dashboard.get("uid").asText(), panel.get("title").asText(), type, text));
        }
      }
    }
    return queries;
  }
}
