package io.backfill.fetcher.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.RemovedMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads Graph's 200 answers, as the UTF-8 bytes they came in: a page of messages, of a folder's
 * messages delta, of folders. Message pages are bound straight into {@link GraphJson} records by a
 * reader made once; the rare folder answers stay trees.
 */
final class GraphPageReader {

  private final ObjectMapper json;
  private final ObjectReader pages;
  private final int maxBodyBytes;

  GraphPageReader(ObjectMapper json, int maxBodyBytes) {
    this.json = json;
    this.pages = json.readerFor(GraphJson.Page.class);
    this.maxBodyBytes = maxBodyBytes;
  }

  GraphMessagePage page(byte[] body) {
    GraphJson.Page root = messages(body);
    List<MailMessage> messages = new ArrayList<>(root.value().size());
    for (GraphJson.Message m : root.value()) {
      messages.add(GraphMessageMapper.map(m, maxBodyBytes));
    }
    return new GraphMessagePage(messages, root.nextLink());
  }

  /**
   * A page of a folder's messages delta. A page that names a message twice keeps its last entry (a
   * chunk names an id once).
   */
  GraphMessagePager.DeltaPage delta(byte[] body, String folderId) {
    GraphJson.Page root = messages(body);
    LinkedHashMap<String, Object> entries = new LinkedHashMap<>();
    for (GraphJson.Message m : root.value()) {
      String id = m.id();
      if (id == null) {
        continue;
      }
      // Re-inserted so the entry keeps the position of its last occurrence.
      entries.remove(id);
      if (m.removed() != null) {
        String reason = m.removed().reason();
        entries.put(
            id,
            new RemovedMessage(
                id,
                folderId,
                RemovedMessage.CHANGED.equals(reason)
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
    return new GraphMessagePager.DeltaPage(messages, removals, root.nextLink(), root.deltaLink());
  }

  /** A page of the mailbox's folders delta: folders present and folders removed. */
  GraphMessagePager.FolderPage folders(byte[] body) {
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

  JsonNode tree(byte[] body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new GraphUnavailable("Graph answered 200 with a body that is not JSON", e);
    }
  }

  /**
   * A page of messages; a body that is not JSON, or JSON that is not a page (empty, null, an array,
   * a property of the wrong type), is {@link GraphUnavailable}: never read as an empty last page.
   */
  private GraphJson.Page messages(byte[] body) {
    GraphJson.Page root;
    try {
      root = pages.readValue(body);
    } catch (MismatchedInputException e) {
      throw new GraphUnavailable("Graph answered 200 with JSON that is not a page of messages", e);
    } catch (IOException e) {
      throw new GraphUnavailable("Graph answered 200 with a body that is not JSON", e);
    }
    if (root == null) {
      throw new GraphUnavailable("Graph answered 200 with JSON null, not a page of messages", null);
    }
    return root;
  }

  private static String link(JsonNode root, String name) {
    JsonNode link = root.get(name);
    return link == null || link.isNull() ? null : link.asText();
  }
}
