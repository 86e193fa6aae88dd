package io.backfill.simulator.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/** Writes a body whose size is drawn from 200 B to 40 KB, long ones with a late entity. */
final class BodyWriter {

  private static final int MIN_BODY_BYTES = 200;
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("EEEE d MMMM", Locale.UK);

  private final Random random;
  private final List<Person> contacts;
  private final Set<String> excluded;
  Person late;

  /** Longer than any name, so a name across the filler's edge lies in the text around it. */
  private static final int EDGE = 64;

  /** Where the filler paragraphs (which name nobody) start and end in the written text. */
  private int fillerStart;

  private int fillerEnd;

  /** The written text without its filler: before it, after it, and around both its edges. */
  private List<String> outsideFiller = List.of();

  BodyWriter(Random random, List<Person> contacts, Set<String> alreadyInMessage) {
    this.random = random;
    this.contacts = contacts;
    this.excluded = new HashSet<>(alreadyInMessage);
  }

  String write(
      Person sender,
      Person firstRecipient,
      boolean attachments,
      Person previousSender,
      String previousBody,
      Instant at) {
    int target = targetSize();
    StringBuilder text =
        new StringBuilder(Math.min(target + 2048, MailboxGenerator.MAX_BODY_BYTES));
    text.append("Hi ").append(firstRecipient.firstName()).append(",\n\n");
    int mentions = 1 + random.nextInt(2);
    for (int i = 0; i < mentions; i++) {
      text.append(mention(at)).append(' ');
    }
    if (attachments) {
      text.append("The file is attached.");
    }
    text.append("\n\n");
    String signature = signature(sender);
    String quote = quote(previousSender, previousBody, at);
    boolean longBody = target > MailboxGenerator.LONG_BODY_BYTES;
    int written = MailboxGenerator.utf8(text);
    int wanted =
        target
            - MailboxGenerator.utf8(signature)
            - MailboxGenerator.utf8(quote)
            - (longBody ? 300 : 0);
    // A late entity must start past the first 10 KB, whatever follows it.
    int padTo = longBody ? Math.max(wanted, MailboxGenerator.LONG_BODY_BYTES + 64) : wanted;
    fillerStart = text.length();
    while (written + 2 < padTo) {
      String paragraph = filler() + "\n\n";
      text.append(paragraph);
      written += MailboxGenerator.utf8(paragraph);
    }
    fillerEnd = text.length();
    if (longBody) {
      late = unmentioned();
      text.append("One more thing: ")
          .append(late.name())
          .append(" at ")
          .append(late.organisation().name())
          .append(" (")
          .append(late.email())
          .append(") asked to be copied on the final version.\n\n");
    }
    text.append(signature).append(quote);
    String body = truncate(text.toString());
    int start = Math.min(fillerStart, body.length());
    int end = Math.min(fillerEnd, body.length());
    outsideFiller =
        List.of(
            body.substring(0, start),
            body.substring(end),
            body.substring(Math.max(0, start - EDGE), Math.min(body.length(), start + EDGE)),
            body.substring(Math.max(0, end - EDGE), Math.min(body.length(), end + EDGE)));
    return body;
  }

  /**
   * Whether the written text names someone: as {@code text.contains(name)}, but without reading the
   * filler, whose sentences name nobody, so only the text around it is searched.
   */
  boolean names(String name) {
    if (name.length() > EDGE) {
      throw new IllegalArgumentException("name longer than " + EDGE + " characters: " + name);
    }
    for (String part : outsideFiller) {
      if (part.contains(name)) {
        return true;
      }
    }
    return false;
  }

  private int targetSize() {
    int roll = random.nextInt(100);
    if (roll < 70) {
      return MIN_BODY_BYTES + random.nextInt(2800);
    }
    if (roll < 88) {
      return 3000 + random.nextInt(7000);
    }
    return MailboxGenerator.LONG_BODY_BYTES
        + 500
        + random.nextInt(MailboxGenerator.MAX_BODY_BYTES - MailboxGenerator.LONG_BODY_BYTES - 2000);
  }

  private String mention(Instant at) {
    Person person = unmentioned();
    LocalDate day = at.atOffset(ZoneOffset.UTC).toLocalDate().plusDays(2 + random.nextInt(20));
    return MailboxGenerator.pick(NameBank.MENTIONS, random)
        .replace("{person}", person.name())
        .replace("{org}", person.organisation().name())
        .replace("{day}", DAY.format(day))
        .replace("{amount}", "€" + (5 + random.nextInt(500)) + ",000")
        .replace(
            "{topic}", MailboxGenerator.pick(NameBank.TOPICS, random).toLowerCase(Locale.ROOT));
  }

  private Person unmentioned() {
    for (int attempt = 0; attempt < 50; attempt++) {
      Person p = MailboxGenerator.pick(contacts, random);
      if (excluded.add(p.email())) {
        return p;
      }
    }
    return MailboxGenerator.pick(contacts, random);
  }

  private String filler() {
    StringBuilder paragraph = new StringBuilder(640);
    int sentences = 3 + random.nextInt(4);
    for (int i = 0; i < sentences; i++) {
      paragraph.append(MailboxGenerator.pick(NameBank.FILLER, random)).append(' ');
    }
    return paragraph.toString().trim();
  }

  private static String signature(Person sender) {
    return "Best regards,\n"
        + sender.name()
        + "\n"
        + sender.title()
        + ", "
        + sender.organisation().name()
        + "\n";
  }

  private static String quote(Person previousSender, String previousBody, Instant at) {
    if (previousBody == null) {
      return "";
    }
    // Quoted history is cut short so a long thread does not grow every reply past 40 KB.
    String quoted = previousBody.length() > 1500 ? previousBody.substring(0, 1500) : previousBody;
    return "\nOn "
        + at.minusSeconds(3600).toString()
        + ", "
        + previousSender.name()
        + " <"
        + previousSender.email()
        + "> wrote:\n> "
        + quoted.replace("\n", "\n> ")
        + "\n";
  }

  private static String truncate(String text) {
    // A text's size is the sum of its characters' sizes, so cutting subtracts the cut part's.
    int bytes = MailboxGenerator.utf8(text);
    int length = text.length();
    while (bytes > MailboxGenerator.MAX_BODY_BYTES) {
      bytes -= MailboxGenerator.utf8(text.subSequence(length - 512, length));
      length -= 512;
    }
    return length == text.length() ? text : text.substring(0, length);
  }
}
