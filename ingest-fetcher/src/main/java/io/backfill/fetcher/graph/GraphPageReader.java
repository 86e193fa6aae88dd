package io.backfill.fetcher.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.RemovedMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** Reads Graph's 200 answers: a page of messages, of a folder's messages delta, of folders. */
final class GraphPageReader {

  private final ObjectMapper json;
  private final int maxBodyBytes;

  GraphPageReader(ObjectMapper json, int maxBodyBytes) {
    this.json = json;
    this.maxBodyBytes = maxBodyBytes;
  }

  GraphMessagePage page(String body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException e) {
      throw new GraphUnavailable("Graph answered 200 with a body that is not JSON", e);
    }
    List<MailMessage> messages = new ArrayList<>();
    for (JsonNode m : root.path("value")) {
      messages.add(GraphMessageMapper.map(m, maxBodyBytes));
    }
    JsonNode next = root.get("@odata.nextLink");
    return new GraphMessagePage(messages, next == null || next.isNull() ? null : next.asText());
  }

  /**
   * A page of a folder's messages delta. A page that names a message twice keeps its last entry (a
   * chunk names an id once).
   */
  GraphMessagePager.DeltaPage delta(String body, String folderId) {
    JsonNode root = tree(body);
    LinkedHashMap<String, Object> entries = new LinkedHashMap<>();
    for (JsonNode m : root.path("value")) {
      String id = m.path("id").asText(null);
      if (id == null) {
        continue;
      }
      // Re-inserted so the entry keeps the position of its last occurrence.
      entries.remove(id);
      JsonNode removed = m.get("@removed");
      if (removed != null) {
        String reason = removed.path("reason").asText(RemovedMessage.DELETED);
        entries.put(
            id,
            new RemovedMessage(
                id,
                folderId,
                reason.equals(RemovedMessage.CHANGED)
                    ? RemovedMessage.CHANGED
                    : RemovedMessage.DELETED));
      } else {
        entries.put(id, GraphMessageMapper.map(m, maxBodyBytes));
      }
    }
    List<MailMessage> messages = new ArrayList<>();
    List<RemovedMessage> removals = new ArrayList<>();
    for (Object entry : entries.values()) {
      if (entry instanceof MailMessage message) {
        messages.add(message);
      } else {
        removals.add((RemovedMessage) entry);
      }
    }
    return new GraphMessagePager.DeltaPage(
        messages, removals, link(root, "@odata.nextLink"), link(root, "@odata.deltaLink"));
  }

  /** A page of the mailbox's folders delta: folders present and folders removed. */
  GraphMessagePager.FolderPage folders(String body) {
    JsonNode root = tree(body);
    List<String> present = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (JsonNode f : root.path("value")) {
      String id = f.path("id").asText(null);
      if (id == null) {
        continue;
      }
      if (f.has("@removed")) {
        removed.add(id);
      } else {
        present.add(id);
        names.add(f.path("displayName").asText(""));
      }
    }
    return new GraphMessagePager.FolderPage(
        present, names, removed, link(root, "@odata.nextLink"), link(root, "@odata.deltaLink"));
  }

  JsonNode tree(String body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new GraphUnavailable("Graph answered 200 with a body that is not JSON", e);
    }
  }

  private static String link(JsonNode root, String name) {
    JsonNode link = root.get(name);
    return link == null || link.isNull() ? null : link.asText();
  }
}
