package io.backfill.simulator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MailboxGeneratorTest {

  private static final Instant END = Instant.parse("2026-01-01T00:00:00Z");
  private final MailboxGenerator generator = new MailboxGenerator(END, 365);

  @Test
  void sameSeedAndSizeGiveTheSameMailbox() {
    List<MailMessage> first =
        generator.generate(new MailboxSpec("a@contoso.com", 300, 7)).snapshot();
    List<MailMessage> again =
        generator.generate(new MailboxSpec("a@contoso.com", 300, 7)).snapshot();
    List<MailMessage> other =
        generator.generate(new MailboxSpec("a@contoso.com", 300, 8)).snapshot();

    assertThat(again).isEqualTo(first);
    assertThat(other.get(0).id()).isNotEqualTo(first.get(0).id());
  }

  @Test
  void mailboxHoldsExactlyItsSizeWithUniqueIdsInPagingOrder() {
    List<MailMessage> messages =
        generator.generate(new MailboxSpec("a@contoso.com", 1000, 3)).snapshot();

    assertThat(messages).hasSize(1000);
    assertThat(messages.stream().map(MailMessage::id).distinct()).hasSize(1000);
    for (int i = 1; i < messages.size(); i++) {
      MailMessage prev = messages.get(i - 1);
      assertThat(messages.get(i).compareKey(prev.receivedDateTime(), prev.id())).isPositive();
    }
    assertThat(messages.get(messages.size() - 1).receivedDateTime()).isBefore(END);
  }

  @Test
  void bodiesRangeFrom200BytesTo40KilobytesAndLongOnesNameSomeoneOnlyNearTheEnd() {
    List<MailMessage> messages =
        generator.generate(new MailboxSpec("a@contoso.com", 1000, 5)).snapshot();
    int[] sizes = messages.stream().mapToInt(m -> bytes(m.textBody())).toArray();

    assertThat(Arrays.stream(sizes).min().orElseThrow()).isGreaterThanOrEqualTo(200);
    assertThat(Arrays.stream(sizes).max().orElseThrow()).isLessThanOrEqualTo(40 * 1024);
    List<MailMessage> longOnes =
        messages.stream().filter(m -> bytes(m.textBody()) > 10 * 1024).toList();
    assertThat(longOnes).hasSizeGreaterThan(50);
    for (MailMessage m : longOnes) {
      String late = m.groundTruth().lateEntity();
      assertThat(late).as("late entity of %s", m.id()).isNotNull();
      String firstTenKb =
          new String(
              Arrays.copyOf(m.textBody().getBytes(StandardCharsets.UTF_8), 10 * 1024),
              StandardCharsets.UTF_8);
      assertThat(firstTenKb).doesNotContain(late);
      assertThat(m.textBody()).contains(late);
      assertThat(m.groundTruth().entities()).extracting(Entity::name).contains(late);
    }
  }

  @Test
  void mailHasThreadsRepliesForwardsUnicodeNamesAndSentItems() {
    List<MailMessage> messages =
        generator.generate(new MailboxSpec("alice@contoso.com", 1000, 7)).snapshot();

    assertThat(messages).anyMatch(m -> m.subject().startsWith("RE: "));
    assertThat(messages).anyMatch(m -> m.subject().startsWith("FW: "));
    assertThat(messages.stream().map(MailMessage::conversationId).distinct().count())
        .isBetween(100L, 999L);
    assertThat(messages).anyMatch(m -> !m.from().name().matches("[\\p{ASCII}]*"));
    assertThat(messages)
        .anyMatch(
            m -> m.folder().equals("sentitems") && m.from().email().equals("alice@contoso.com"));
    assertThat(messages)
        .allMatch(
            m ->
                m.from().email().equals("alice@contoso.com")
                    || m.toRecipients().stream()
                        .anyMatch(p -> p.email().equals("alice@contoso.com")));
  }

  @Test
  void groundTruthNamesEveryoneInTheHeadersAndWhereTheyWork() {
    MailMessage m =
        generator.generate(new MailboxSpec("alice@contoso.com", 50, 7)).snapshot().get(10);

    assertThat(m.groundTruth().entities()).extracting(Entity::email).contains(m.from().email());
    assertThat(m.groundTruth().relationships())
        .contains(
            new Relationship(
                m.from().name(), Relationship.WORKS_AT, m.from().organisation().name()))
        .contains(
            new Relationship(
                m.from().name(), Relationship.EMAILED, m.toRecipients().get(0).name()));
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
