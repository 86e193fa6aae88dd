package io.backfill.simulator.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The folders every simulated mailbox has, by well-known name, with stable Graph-like ids. */
public final class MailFolders {

  /** One folder of a mailbox. */
  public record Folder(String id, String displayName, String wellKnownName) {}

  private static final Map<String, String> DISPLAY_NAMES = new LinkedHashMap<>();

  static {
    DISPLAY_NAMES.put("inbox", "Inbox");
    DISPLAY_NAMES.put("sentitems", "Sent Items");
    DISPLAY_NAMES.put("archive", "Archive");
    DISPLAY_NAMES.put("drafts", "Drafts");
    DISPLAY_NAMES.put("deleteditems", "Deleted Items");
    DISPLAY_NAMES.put("junkemail", "Junk Email");
  }

  private MailFolders() {}

  public static List<Folder> of(String mailbox) {
    List<Folder> folders = new ArrayList<>();
    DISPLAY_NAMES.forEach(
        (name, display) ->
            folders.add(new Folder(MessageJson.folderId(mailbox, name), display, name)));
    return folders;
  }

  /** The well-known name of a folder given by well-known name (any case) or id. */
  public static Optional<String> resolve(String mailbox, String nameOrId) {
    if (nameOrId == null) {
      return Optional.empty();
    }
    String lower = nameOrId.toLowerCase(Locale.ROOT);
    if (DISPLAY_NAMES.containsKey(lower)) {
      return Optional.of(lower);
    }
    for (String name : DISPLAY_NAMES.keySet()) {
      if (MessageJson.folderId(mailbox, name).equals(nameOrId)) {
        return Optional.of(name);
      }
    }
    return Optional.empty();
  }

  public static String displayName(String wellKnownName) {
    return DISPLAY_NAMES.get(wellKnownName);
  }
}
