package io.backfill.simulator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Messages derived on demand are the mail the generator wrote, whichever way they are reached. */
class DerivedMailTest {

  private static final Instant END = Instant.parse("2026-01-01T00:00:00Z");
  private final MailboxGenerator generator = new MailboxGenerator(END, 365);

  /**
   * Digests of every message (its record text, paging order) and of three arrivals, taken from the
   * generator as it was when it kept every message in memory: the derived mail is the same.
   */
  @Test
  void derivedMailIsTheMailTheGeneratorUsedToKeep() throws Exception {
    assertThat(digest(new MailboxSpec("alice@contoso.com", 500, 7)))
        .isEqualTo("a54560b005837b9c0bab333ce0530b1eec570ccf5e0b7205e9c33e968b4495d3");
    assertThat(digest(new MailboxSpec("bob@fabrikam.com", 150, 11)))
        .isEqualTo("4fea125e65ee9b50c87644c416710b4a20183348598e6f4c3448d761a9f7ff3d");
    assertThat(digest(new MailboxSpec("a@contoso.com", 1000, 3)))
        .isEqualTo("dc11ac3f06a3a9b77197a3a65d39a5632a5bc4efebde445d5b4a43a2812f6c30");
  }

  @Test
  void aMessageLookedUpByIdEqualsTheOneReachedByPaging() {
    Mailbox box = generator.generate(new MailboxSpec("a@contoso.com", 3000, 9));
    MessageList paged = box.snapshot();
    List<MailMessage> inOrder = new ArrayList<>(paged);
    Random pick = new Random(1);
    for (int n = 0; n < 200; n++) {
      int i = pick.nextInt(inOrder.size());
      MailMessage m = inOrder.get(i);
      assertThat(box.state().message(m.id())).contains(m);
      assertThat(paged.get(i)).isEqualTo(m);
      assertThat(paged.received(i)).isEqualTo(m.receivedDateTime());
      assertThat(paged.folder(i)).isEqualTo(m.folder());
      assertThat(paged.hasAttachments(i)).isEqualTo(m.hasAttachments());
    }
    assertThat(box.state().message("AAMk" + "x".repeat(64))).isEmpty();
    assertThat(box.state().message("nope")).isEmpty();
  }

  @Test
  void changesKeepPagingOrderSizeAndFolderCounts() {
    Mailbox box = generator.generate(new MailboxSpec("a@contoso.com", 400, 5));
    List<MailMessage> model = new ArrayList<>(box.snapshot());
    MailMessage edited = model.get(17);
    MailMessage movedAway = model.get(200);
    MailMessage deleted = model.get(399);
    Instant at = END.plusSeconds(60);

    MailMessage stored =
        box.update(edited.id(), edited.edited("new subject", null, null, null), at);
    MailMessage moved = box.move(movedAway.id(), "AAMk-moved-0000000000", "archive", at);
    box.delete(deleted.id(), at);
    List<MailMessage> arrivals = generator.arrivals(box, 3, END.minusSeconds(86_400 * 30));
    List<MailMessage> delivered = box.deliver(arrivals);

    model.set(17, stored);
    model.remove(movedAway);
    model.add(moved);
    model.remove(deleted);
    model.addAll(delivered);
    model.sort((a, b) -> a.compareKey(b.receivedDateTime(), b.id()));
    MessageList now = box.snapshot();
    assertThat(new ArrayList<>(now)).isEqualTo(model);
    for (int i = 0; i < model.size(); i++) {
      assertThat(now.version(i)).isEqualTo(model.get(i).version());
      assertThat(now.received(i)).isEqualTo(model.get(i).receivedDateTime());
    }
    for (String folder : List.of("inbox", "sentitems", "archive")) {
      assertThat(now.count(folder))
          .isEqualTo((int) model.stream().filter(m -> m.folder().equals(folder)).count());
    }
    assertThat(now.changed()).hasSize(5);
    assertThat(box.state().message(movedAway.id())).isEmpty();
    assertThat(box.state().message(moved.id())).contains(moved);
    assertThat(box.state().message(deleted.id())).isEmpty();
  }

  @Test
  void fillerSentencesNameNobody() {
    for (String sentence : NameBank.FILLER) {
      for (String first : NameBank.FIRST_NAMES) {
        assertThat(sentence).doesNotContain(first + " ");
      }
    }
  }

  private String digest(MailboxSpec spec) throws Exception {
    Mailbox box = generator.generate(spec);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (MailMessage m : box.snapshot()) {
      sha.update(m.toString().getBytes(StandardCharsets.UTF_8));
    }
    for (MailMessage m : generator.arrivals(box, 3, Instant.parse("2026-02-01T00:00:00Z"))) {
      sha.update(m.toString().getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
