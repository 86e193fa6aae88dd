package io.backfill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Renders a kustomization directory the way {@code kubectl kustomize} does, for the features
 * deploy/k8s uses: resources (files and directories), namespace, labels (with or without selectors,
 * into pod templates), images (newName/newTag) and strategic-merge patches (maps merged, lists of
 * named items merged by name, {@code $patch: delete}). Anything else in a kustomization fails the
 * render, so a new feature cannot be silently ignored by the checks.
 */
final class Kustomization {

  private static final List<String> SUPPORTED =
      List.of("apiVersion", "kind", "resources", "namespace", "labels", "images", "patches");

  private Kustomization() {}

  static List<ObjectNode> render(Path directory) {
    JsonNode kustomization = Repository.yaml(directory.resolve("kustomization.yaml"));
    kustomization
        .fieldNames()
        .forEachRemaining(
            field -> {
              if (!SUPPORTED.contains(field)) {
                throw new IllegalArgumentException(
                    directory + ": kustomization field " + field + " is not rendered here");
              }
            });
    List<ObjectNode> objects = new ArrayList<>();
    for (JsonNode resource : kustomization.path("resources")) {
      Path path = directory.resolve(resource.asText()).normalize();
      if (Files.isDirectory(path)) {
        objects.addAll(render(path));
      } else {
        Repository.yamlDocuments(path).forEach(document -> objects.add((ObjectNode) document));
      }
    }
    for (JsonNode patch : kustomization.path("patches")) {
      ObjectNode change =
          (ObjectNode) Repository.yaml(directory.resolve(patch.get("path").asText()));
      ObjectNode target = find(objects, change.get("kind").asText(), name(change));
      if (target == null) {
        throw new IllegalArgumentException(directory + ": patch target not found: " + change);
      }
      if ("delete".equals(change.path("$patch").asText())) {
        objects.remove(target);
      } else {
        merge(target, change);
      }
    }
    if (kustomization.has("namespace")) {
      objects.forEach(
          object ->
              ((ObjectNode) object.get("metadata"))
                  .put("namespace", kustomization.get("namespace").asText()));
    }
    for (JsonNode label : kustomization.path("labels")) {
      boolean selectors = label.path("includeSelectors").asBoolean(false);
      boolean templates = label.path("includeTemplates").asBoolean(false) || selectors;
      label
          .get("pairs")
          .properties()
          .forEach(pair -> objects.forEach(o -> addLabel(o, pair, selectors, templates)));
    }
    for (JsonNode image : kustomization.path("images")) {
      objects.stream()
          .filter(o -> o.get("kind").asText().equals("Deployment"))
          .flatMap(o -> stream(o.at("/spec/template/spec/containers")).stream())
          .filter(c -> c.get("image").asText().split(":")[0].equals(image.get("name").asText()))
          .forEach(
              c -> {
                String name = image.path("newName").asText(image.get("name").asText());
                String tag =
                    image.has("newTag")
                        ? image.get("newTag").asText()
                        : c.get("image").asText().split(":")[1];
                ((ObjectNode) c).put("image", name + ":" + tag);
              });
    }
    return objects;
  }

  static ObjectNode find(List<ObjectNode> objects, String kind, String name) {
    return objects.stream()
        .filter(o -> o.get("kind").asText().equals(kind) && name(o).equals(name))
        .findFirst()
        .orElse(null);
  }

  static String name(JsonNode object) {
    return object.get("metadata").get("name").asText();
  }

  static List<JsonNode> stream(JsonNode array) {
    List<JsonNode> items = new ArrayList<>();
    array.forEach(items::add);
    return items;
  }

  private static void addLabel(
      ObjectNode object, Map.Entry<String, JsonNode> pair, boolean selectors, boolean templates) {
    ((ObjectNode) object.get("metadata")).withObject("labels").set(pair.getKey(), pair.getValue());
    if (templates && object.at("/spec/template/metadata").isObject()) {
      ((ObjectNode) object.at("/spec/template/metadata"))
          .withObject("labels")
          .set(pair.getKey(), pair.getValue());
    }
    if (selectors) {
      throw new IllegalArgumentException("includeSelectors is not rendered here");
    }
  }

  /** Strategic merge: maps recursively, lists of objects with a name merged item by item. */
  private static void merge(ObjectNode target, ObjectNode patch) {
    Iterator<Map.Entry<String, JsonNode>> fields = patch.properties().iterator();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode existing = target.get(field.getKey());
      JsonNode value = field.getValue();
      if (existing instanceof ObjectNode existingObject
          && value instanceof ObjectNode valueObject) {
        merge(existingObject, valueObject);
      } else if (existing instanceof ArrayNode existingArray
          && value instanceof ArrayNode valueArray
          && isNamedList(valueArray)) {
        for (JsonNode item : valueArray) {
          JsonNode match = null;
          for (JsonNode candidate : existingArray) {
            if (candidate.path("name").asText().equals(item.get("name").asText())) {
              match = candidate;
            }
          }
          if (match == null) {
            existingArray.add(item);
          } else {
            merge((ObjectNode) match, (ObjectNode) item);
          }
        }
      } else {
        target.set(field.getKey(), value);
      }
    }
  }

  private static boolean isNamedList(ArrayNode array) {
    for (JsonNode item : array) {
      if (!item.isObject() || !item.has("name")) {
        return false;
      }
    }
    return !array.isEmpty();
  }
}
