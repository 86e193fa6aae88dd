package io.backfill.simulator.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backfill.simulator.domain.MailMessage;
import io.backfill.simulator.domain.Mailbox;
import io.backfill.simulator.domain.MailboxRegistry;
import io.backfill.simulator.domain.MailboxSpec;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart with a state directory: the replayed mailbox is the one that was changed, and delta
 * links issued before the restart go on working, or stay gone when they were expired.
 */
class StateDirReplayTest {

  private static final Instant END = Instant.parse("2026-01-01T00:00:00Z");
  private static final MailboxSpec EVE = new MailboxSpec("eve@contoso.com", 80, 3);
  private static final URI DELTA_URI =
      URI.create("http://sim.test/v1.0/users/eve@contoso.com/mailFolders/inbox/messages/delta");

  @TempDir Path dir;

  private final DeltaService delta = new DeltaService("test-key".getBytes(), 1000);

  @Test
  void aRestartReplaysEveryChangeAndHonoursDeltaLinksIssuedBeforeIt() {
    MailboxRegistry before = registry(dir);
    Mailbox box = before.find(EVE.address()).orElseThrow();
    String link = round(box, null).deltaLink();
    List<String> inbox = inboxIds(box);
    before.deliver(box, 2);
    before.update(box, inbox.get(0), "New subject", "Hi,\n\nZoë Müller joins.", List.of("Blue"));
    String moved = before.move(box, inbox.get(1), "archive").orElseThrow().id();
    before.delete(box, inbox.get(2));
    RoundResult expected = round(box, link);

    Mailbox replayed = registry(dir).find(EVE.address()).orElseThrow();

    assertThat(view(replayed)).isEqualTo(view(box));
    assertThat(replayed.state().message(moved)).map(MailMessage::folder).contains("archive");
    assertThat(replayed.state().message(inbox.get(0)).orElseThrow().groundTruth())
        .isEqualTo(box.state().message(inbox.get(0)).orElseThrow().groundTruth());
    RoundResult again = round(replayed, link);
    assertThat(again.items()).isEqualTo(expected.items());
    assertThat(again.items()).hasSize(5);
  }

  @Test
  void anExpiryIsReplayedSoLinksIssuedBeforeItStayGone() {
    MailboxRegistry before = registry(dir);
    Mailbox box = before.find(EVE.address()).orElseThrow();
    String link = round(box, null).deltaLink();
    before.expireTokens(box);

    Mailbox replayed = registry(dir).find(EVE.address()).orElseThrow();

    assertThatThrownBy(() -> round(replayed, link))
        .isInstanceOfSatisfying(GraphException.class, e -> assertThat(e.status()).isEqualTo(410));
    String fresh = round(replayed, null).deltaLink();
    assertThat(round(replayed, fresh).items()).isEmpty();
  }

  @Test
  void regeneratingAMailboxStartsItsLogAgainAndEndsItsSyncStates() {
    MailboxRegistry before = registry(dir);
    Mailbox box = before.find(EVE.address()).orElseThrow();
    String link = round(box, null).deltaLink();
    before.delete(box, inboxIds(box).get(0));
    Mailbox regenerated = before.create(EVE);

    Mailbox replayed = registry(dir).find(EVE.address()).orElseThrow();

    assertThat(replayed.snapshot()).hasSize(EVE.size());
    assertThat(view(replayed)).isEqualTo(view(regenerated));
    assertThatThrownBy(() -> round(replayed, link))
        .isInstanceOfSatisfying(GraphException.class, e -> assertThat(e.status()).isEqualTo(410));
  }

  @Test
  void withoutAStateDirectoryARestartLosesTheSyncStates() {
    Mailbox box = registry(null).find(EVE.address()).orElseThrow();
    String link = round(box, null).deltaLink();

    Mailbox restarted = registry(null).find(EVE.address()).orElseThrow();

    assertThatThrownBy(() -> round(restarted, link))
        .isInstanceOfSatisfying(
            GraphException.class, e -> assertThat(e.code()).isEqualTo("SyncStateNotFound"));
  }

  private static MailboxRegistry registry(Path stateDir) {
    return new MailboxRegistry(END, 365, stateDir, List.of(EVE));
  }

  private static List<String> inboxIds(Mailbox box) {
    return box.snapshot().stream()
        .filter(m -> m.folder().equals("inbox"))
        .map(MailMessage::id)
        .toList();
  }

  private static List<String> view(Mailbox box) {
    return box.snapshot().stream()
        .map(m -> m.id() + "/" + m.folder() + "/" + m.changeKey() + "/" + m.subject())
        .toList();
  }

  record RoundResult(List<Object> items, String deltaLink) {}

  /** A whole round of the inbox, from a delta link or fresh. */
  @SuppressWarnings("unchecked")
  private RoundResult round(Mailbox box, String deltaLink) {
    List<Object> items = new ArrayList<>();
    String link = deltaLink;
    while (true) {
      Map<String, String> options = link == null ? Map.of() : options(link);
      DeltaService.Request request =
          delta.messagesRequest(box, "inbox", options, List.of("odata.maxpagesize=7"));
      Map<String, Object> body = delta.messagesPage(box, request, DELTA_URI).body();
      for (Object item : (List<Object>) body.get("value")) {
        Map<String, Object> json = (Map<String, Object>) item;
        items.add(json.get("id") + "/" + json.get("changeKey") + "/" + json.get("@removed"));
      }
      if (body.containsKey("@odata.nextLink")) {
        link = (String) body.get("@odata.nextLink");
      } else {
        return new RoundResult(items, (String) body.get("@odata.deltaLink"));
      }
    }
  }

  private static Map<String, String> options(String link) {
    String query = URI.create(link).getRawQuery();
    String name = URLDecoder.decode(query.substring(0, query.indexOf('=')), StandardCharsets.UTF_8);
    return Map.of(
        name, URLDecoder.decode(query.substring(query.indexOf('=') + 1), StandardCharsets.UTF_8));
  }
}
