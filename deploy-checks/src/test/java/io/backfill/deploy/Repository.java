package io.backfill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The project's files as these checks read them: YAML, JSON, properties, sources. */
final class Repository {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:[^}]*)?}");

  private Repository() {}

  static Path root() {
    return Path.of(System.getProperty("backfill.project.root", "..")).toAbsolutePath().normalize();
  }

  static Path file(String relative) {
    return root().resolve(relative);
  }

  static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One YAML document, anchors, aliases and merge keys resolved. */
  static JsonNode yaml(Path path) {
    return JSON.valueToTree(snakeYaml().load(read(path)));
  }

  /** Every document of a multi-document YAML file. */
  static List<JsonNode> yamlDocuments(Path path) {
    List<JsonNode> documents = new ArrayList<>();
    for (Object document : snakeYaml().loadAll(read(path))) {
      if (document != null) {
        documents.add(JSON.valueToTree(document));
      }
    }
    return documents;
  }

  private static Yaml snakeYaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  static JsonNode json(Path path) {
    try {
      return JSON.readTree(path.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot parse " + path, e);
    }
  }

  /** A module's application.properties, as written (profiles and ${...} unresolved). */
  static Map<String, String> applicationProperties(String module) {
    Properties properties = new Properties();
    try (var in =
        Files.newInputStream(file(module + "/src/main/resources/application.properties"))) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> map = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key)));
    return map;
  }

  /** Environment variables a module's application.properties reads: name → has a default. */
  static Map<String, Boolean> environmentReferences(String module) {
    Map<String, Boolean> references = new LinkedHashMap<>();
    applicationProperties(module)
        .forEach(
            (key, value) -> {
              if (key.startsWith("%")) {
                return;
              }
              Matcher matcher = ENV_REFERENCE.matcher(value);
              while (matcher.find()) {
                references.merge(matcher.group(1), matcher.group(2) != null, Boolean::logicalAnd);
              }
            });
    return references;
  }

  /**
   * Environment variables that set a module's configuration keys by MicroProfile Config's
   * environment mapping (upper case, every non-alphanumeric character an underscore): the keys of
   * its application.properties and the keys its README documents.
   */
  static Set<String> environmentNamesOfKeys(String module) {
    Set<String> keys = new TreeSet<>();
    applicationProperties(module).keySet().stream()
        .filter(key -> !key.startsWith("%"))
        .forEach(keys::add);
    Matcher documented =
        Pattern.compile("`((?:backfill|quarkus|kafka|mp)\\.[a-z0-9.\\-\"]+)`")
            .matcher(read(file(module + "/README.md")));
    while (documented.find()) {
      keys.add(documented.group(1));
    }
    Set<String> names = new TreeSet<>();
    keys.forEach(key -> names.add(key.toUpperCase().replaceAll("[^A-Z0-9]", "_")));
    return names;
  }

  /** All Java source of a module's main code, concatenated. */
  static String mainSource(String module) {
    try (var files = Files.walk(file(module + "/src/main/java"))) {
      StringBuilder all = new StringBuilder();
      files.filter(p -> p.toString().endsWith(".java")).forEach(p -> all.append(read(p)));
      return all.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int httpPort(String module) {
    return Integer.parseInt(applicationProperties(module).get("quarkus.http.port"));
  }
}
