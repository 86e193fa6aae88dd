package io.backfill.simulator.graph;

import io.backfill.simulator.config.SimulatorConfig;
import io.backfill.simulator.domain.MailMessage;
import io.backfill.simulator.domain.Mailbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Graph's delta queries: a folder's messages ({@code mailFolders/{id}/messages/delta}) and the
 * folder list ({@code mailFolders/delta}). Rounds of pages linked by {@code @odata.nextLink}, the
 * last with {@code @odata.deltaLink}; see {@link DeltaPager} and {@link DeltaToken}.
 */
@ApplicationScoped
public class DeltaService {

  /** Graph's page size for delta when no {@code odata.maxpagesize} is preferred. */
  public static final int DEFAULT_PAGE_SIZE = 10;

  static final String TEXT_PREFERENCE = "outlook.body-content-type=\"text\"";
  private static final Pattern MAX_PAGE_SIZE =
      Pattern.compile("odata\\.maxpagesize\\s*=\\s*\"?(\\d+)\"?");
  private static final String FOLDER_LIST = "";

  /** A delta answer: the JSON body and the Preference-Applied header (null when none). */
  public record Answer(Map<String, Object> body, String preferenceApplied) {}

  /** A parsed request before the mailbox state is read. */
  public record Request(DeltaToken round, boolean fresh, int pageSize, boolean sizePreferred) {}

  private final byte[] key;
  private final int maxPageSize;

  @Inject
  DeltaService(SimulatorConfig config) {
    this(
        config.graph().deltaTokenKey().getBytes(StandardCharsets.UTF_8),
        config.graph().deltaMaxPageSize());
  }

  DeltaService(byte[] key, int maxPageSize) {
    this.key = key.clone();
    this.maxPageSize = Math.max(1, maxPageSize);
  }

  /**
   * Validates the query (or the token) of a messages delta call and fixes the round: 400 for
   * options Graph refuses on delta and for tokens that are not valid here, 410 for sync states that
   * are gone.
   */
  public Request messagesRequest(
      Mailbox mailbox, String folder, Map<String, String> options, List<String> prefer) {
    int size = pageSize(prefer);
    boolean text = prefer.stream().anyMatch(p -> p.replace(" ", "").contains(TEXT_PREFERENCE));
    DeltaToken token = token(mailbox, folder, options);
    if (token != null) {
      return new Request(token, false, size, preferredSize(prefer));
    }
    for (String name : options.keySet()) {
      if (name.startsWith("$") && !name.equals("$select") && !name.equals("$filter")) {
        throw GraphException.badRequest(
            "Query option '"
                + name
                + "' is not supported on message delta by this simulator (only $select and a"
                + " receivedDateTime ge|gt $filter; page size by Prefer: odata.maxpagesize).");
      }
      if (name.equals("changeType")) {
        throw GraphException.badRequest(
            "Query option 'changeType' is not supported by this simulator.");
      }
    }
    Map<String, String> query = new HashMap<>();
    if (options.containsKey("$select")) {
      query.put("$select", options.get("$select"));
    }
    if (options.containsKey("$filter")) {
      query.put("$filter", options.get("$filter"));
    }
    MessageQuery parsed = MessageQuery.parse(query);
    // Message delta filters only on receivedDateTime ge|gt, one clause.
    if (parsed.to() != null
        || parsed.hasAttachments() != null
        || (options.containsKey("$filter") && options.get("$filter").contains(" and "))) {
      throw new GraphException(
          400,
          "ErrorInvalidUrlQueryFilter",
          "The query filter contains one or more invalid nodes: message delta supports only"
              + " receivedDateTime ge|gt <DateTimeOffset>.");
    }
    String select = parsed.select() == null ? "" : String.join(",", parsed.select());
    DeltaToken round =
        DeltaToken.fresh(
            mailbox.address(),
            mailbox.epoch(),
            folder,
            select,
            parsed.from(),
            parsed.fromInclusive(),
            text);
    return new Request(round, true, size, preferredSize(prefer));
  }

  /** The folder list's delta: no query options besides the tokens. */
  public Request foldersRequest(Mailbox mailbox, Map<String, String> options, List<String> prefer) {
    int size = pageSize(prefer);
    DeltaToken token = token(mailbox, FOLDER_LIST, options);
    if (token != null) {
      return new Request(token, false, size, preferredSize(prefer));
    }
    for (String name : options.keySet()) {
      if (name.startsWith("$")) {
        throw GraphException.badRequest(
            "Query option '" + name + "' is not supported on mailFolders delta by this simulator.");
      }
    }
    DeltaToken round =
        DeltaToken.fresh(mailbox.address(), mailbox.epoch(), FOLDER_LIST, "", null, false, false);
    return new Request(round, true, size, preferredSize(prefer));
  }

  /** One page of a folder's messages delta. */
  public Answer messagesPage(Mailbox mailbox, Request request, URI requestUri) {
    Mailbox.State state = mailbox.state();
    DeltaToken round = start(state, request);
    DeltaPager.Page page = DeltaPager.page(state, round, request.pageSize());
    List<String> select =
        round.select().isEmpty() ? null : Arrays.asList(round.select().split(","));
    List<Object> values = new ArrayList<>(page.items().size());
    for (DeltaPager.Item item : page.items()) {
      if (item.message() != null) {
        values.add(MessageJson.render(item.message(), mailbox.address(), select, round.text()));
      } else {
        Map<String, Object> removed = new LinkedHashMap<>();
        removed.put("@odata.type", "#microsoft.graph.message");
        removed.put("id", item.removal().id());
        removed.put("@removed", Map.of("reason", item.removal().reason()));
        values.add(removed);
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("@odata.context", base(requestUri) + "/v1.0/$metadata#Collection(message)");
    links(body, mailbox, state, round, page.next(), requestUri);
    body.put("value", values);
    List<String> applied = new ArrayList<>();
    if (request.sizePreferred()) {
      applied.add("odata.maxpagesize=" + request.pageSize());
    }
    if (round.text()) {
      applied.add(TEXT_PREFERENCE);
    }
    return new Answer(body, applied.isEmpty() ? null : String.join(", ", applied));
  }

  /** One page of the folder list's delta: every folder first, then those whose content changed. */
  public Answer foldersPage(Mailbox mailbox, Request request, URI requestUri) {
    Mailbox.State state = mailbox.state();
    DeltaToken round = start(state, request);
    List<MailFolders.Folder> folders = new ArrayList<>();
    for (MailFolders.Folder f : MailFolders.of(mailbox.address())) {
      if (round.since() < 0 || changed(state, f.wellKnownName(), round)) {
        folders.add(f);
      }
    }
    int from = (int) round.cursorSeq();
    int to = Math.min(folders.size(), from + request.pageSize());
    List<Object> values = new ArrayList<>();
    for (MailFolders.Folder f : folders.subList(Math.min(from, folders.size()), to)) {
      values.add(folderJson(mailbox, state, f));
    }
    DeltaToken next =
        to < folders.size()
            ? new DeltaToken(
                true,
                round.mailbox(),
                round.epoch(),
                FOLDER_LIST,
                round.since(),
                round.upto(),
                0,
                null,
                null,
                to,
                "",
                null,
                false,
                false,
                round.issued())
            : null;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("@odata.context", base(requestUri) + "/v1.0/$metadata#Collection(mailFolder)");
    links(body, mailbox, state, round, next, requestUri);
    body.put("value", values);
    return new Answer(
        body, request.sizePreferred() ? "odata.maxpagesize=" + request.pageSize() : null);
  }

  private static boolean changed(Mailbox.State state, String folder, DeltaToken round) {
    // Generated, unchanged mail has version 0, never in a round after the first.
    for (MailMessage m : state.messages().changed()) {
      if (m.folder().equals(folder) && m.version() > round.since() && m.version() <= round.upto()) {
        return true;
      }
    }
    for (Mailbox.Removal r : state.removals()) {
      if (r.folder().equals(folder) && r.seq() > round.since() && r.seq() <= round.upto()) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Object> folderJson(
      Mailbox mailbox, Mailbox.State state, MailFolders.Folder f) {
    int total = state.messages().count(f.wellKnownName());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("@odata.type", "#microsoft.graph.mailFolder");
    json.put("id", f.id());
    json.put("displayName", f.displayName());
    json.put("parentFolderId", MessageJson.folderId(mailbox.address(), "msgfolderroot"));
    json.put("childFolderCount", 0);
    json.put("unreadItemCount", 0);
    json.put("totalItemCount", total);
    json.put("isHidden", false);
    return json;
  }

  /** A fresh round or one from a delta token fixes its range now; a skip token carries its own. */
  private static DeltaToken start(Mailbox.State state, Request request) {
    DeltaToken t = request.round();
    if (t.skip() && !request.fresh()) {
      return t;
    }
    long since = request.fresh() ? -1 : t.upto();
    return new DeltaToken(
        true,
        t.mailbox(),
        t.epoch(),
        t.folder(),
        since,
        state.seq(),
        0,
        null,
        null,
        0,
        t.select(),
        t.from(),
        t.fromInclusive(),
        t.text(),
        t.issued());
  }

  private void links(
      Map<String, Object> body,
      Mailbox mailbox,
      Mailbox.State state,
      DeltaToken round,
      DeltaToken next,
      URI requestUri) {
    Instant issued = issueTime(state);
    String path =
        requestUri.getScheme() + "://" + requestUri.getRawAuthority() + requestUri.getRawPath();
    if (next != null) {
      body.put("@odata.nextLink", path + "?%24skiptoken=" + reissue(next, issued).encode(key));
    } else {
      DeltaToken delta =
          new DeltaToken(
              false,
              round.mailbox(),
              round.epoch(),
              round.folder(),
              -1,
              round.upto(),
              0,
              null,
              null,
              0,
              round.select(),
              round.from(),
              round.fromInclusive(),
              round.text(),
              issued);
      body.put("@odata.deltaLink", path + "?%24deltatoken=" + delta.encode(key));
    }
  }

  /** Now, but never before the last expiry, so a token issued after an expiry is valid. */
  private static Instant issueTime(Mailbox.State state) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return now.isBefore(state.tokensValidFrom()) ? state.tokensValidFrom() : now;
  }

  private static DeltaToken reissue(DeltaToken t, Instant issued) {
    return new DeltaToken(
        t.skip(),
        t.mailbox(),
        t.epoch(),
        t.folder(),
        t.since(),
        t.upto(),
        t.phase(),
        t.cursorTime(),
        t.cursorId(),
        t.cursorSeq(),
        t.select(),
        t.from(),
        t.fromInclusive(),
        t.text(),
        issued);
  }

  private DeltaToken token(Mailbox mailbox, String folder, Map<String, String> options) {
    String skip = options.get("$skiptoken");
    String delta = options.get("$deltatoken");
    if (skip == null && delta == null) {
      return null;
    }
    DeltaToken token = DeltaToken.decode(skip != null ? skip : delta, key);
    if (token == null
        || token.skip() != (skip != null)
        || !token.mailbox().equals(mailbox.address())
        || !token.folder().equals(folder)) {
      throw new GraphException(
          400,
          "SyncStateInvalid",
          "The sync state is invalid: the token was not issued for this mailbox and folder.");
    }
    Mailbox.State state = mailbox.state();
    // A regenerated mailbox, an expiry, or a token from a lost change log: the state is gone.
    if (!token.epoch().equals(mailbox.epoch())
        || token.issued().isBefore(state.tokensValidFrom())
        || token.upto() > state.seq()) {
      throw new GraphException(
          410,
          "SyncStateNotFound",
          "The sync state generation is not found; generation="
              + token.upto()
              + ";[highest="
              + state.seq()
              + "].");
    }
    return token;
  }

  private int pageSize(List<String> prefer) {
    for (String p : prefer) {
      Matcher m = MAX_PAGE_SIZE.matcher(p);
      if (m.find()) {
        try {
          int n = Integer.parseInt(m.group(1));
          return Math.max(1, Math.min(maxPageSize, n));
        } catch (NumberFormatException e) {
          return maxPageSize;
        }
      }
    }
    return DEFAULT_PAGE_SIZE;
  }

  private static boolean preferredSize(List<String> prefer) {
    return prefer.stream().anyMatch(p -> MAX_PAGE_SIZE.matcher(p).find());
  }

  private static String base(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }
}
