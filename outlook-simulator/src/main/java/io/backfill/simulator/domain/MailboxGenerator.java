package io.backfill.simulator.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Generates a mailbox from (seed, size): the owner's contacts across organisations, threads with
 * replies and forwards, bodies from 200 B to 40 KB, and the ground truth of every message.
 * Everything is drawn from one seeded {@link Random} in a fixed order, so the same seed and size
 * always give the same mail.
 */
public final class MailboxGenerator {

  /** Bodies over this size carry an entity only near their end (the worker reads up to 10 KB). */
  static final int LONG_BODY_BYTES = 10 * 1024;

  static final int MAX_BODY_BYTES = 40 * 1024;
  private static final int MIN_BODY_BYTES = 200;
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("EEEE d MMMM", Locale.UK);

  private final Instant end;
  private final int spanDays;

  public MailboxGenerator(Instant end, int spanDays) {
    this.end = end.truncatedTo(ChronoUnit.SECONDS);
    this.spanDays = spanDays;
  }

  public Mailbox generate(MailboxSpec spec) {
    Random random = new Random(spec.seed());
    Person owner = owner(spec.address(), random);
    List<Person> contacts = contacts(owner, spec.size(), random);
    Instant start = end.minus(Duration.ofDays(spanDays));
    List<MailMessage> messages = new ArrayList<>(spec.size());
    int thread = 0;
    while (messages.size() < spec.size()) {
      Instant threadStart =
          start.plusSeconds((long) (random.nextDouble() * Duration.ofDays(spanDays).toSeconds()));
      new ThreadWriter(spec, owner, contacts, random, thread++)
          .write(threadStart, spec.size() - messages.size(), messages);
    }
    return new Mailbox(spec, owner, messages);
  }

  /**
   * New mail for a mailbox, received at {@code now}. Drawn from a seed derived from how much mail
   * the box already holds, so arrivals are reproducible too.
   */
  public List<MailMessage> arrivals(Mailbox mailbox, int count, Instant now) {
    List<MailMessage> snapshot = mailbox.snapshot();
    Random random = new Random(mailbox.spec().seed() * 31 + snapshot.size());
    List<Person> contacts = contacts(mailbox.owner(), mailbox.spec().size(), random);
    List<MailMessage> arrivals = new ArrayList<>(count);
    Instant at = now.truncatedTo(ChronoUnit.SECONDS);
    int thread = 1_000_000 + snapshot.size();
    while (arrivals.size() < count) {
      ThreadWriter writer =
          new ThreadWriter(mailbox.spec(), mailbox.owner(), contacts, random, thread++);
      writer.arrivalsOnly = true;
      writer.write(at, count - arrivals.size(), arrivals);
    }
    return arrivals;
  }

  private static Person owner(String address, Random random) {
    String local = address.substring(0, address.indexOf('@'));
    String domain = address.substring(address.indexOf('@') + 1);
    String first =
        local.isEmpty() ? "User" : Character.toUpperCase(local.charAt(0)) + local.substring(1);
    String last = pick(NameBank.LAST_NAMES, random);
    return new Person(first + " " + last, address, pick(NameBank.TITLES, random), org(domain));
  }

  private static Organisation org(String domain) {
    for (Organisation org : NameBank.ORGANISATIONS) {
      if (org.domain().equals(domain)) {
        return org;
      }
    }
    String label = domain.contains(".") ? domain.substring(0, domain.indexOf('.')) : domain;
    return new Organisation(Character.toUpperCase(label.charAt(0)) + label.substring(1), domain);
  }

  private static List<Person> contacts(Person owner, int size, Random random) {
    int count = Math.max(12, Math.min(80, size / 20));
    Set<String> names = new HashSet<>();
    names.add(owner.name());
    List<Person> people = new ArrayList<>(count);
    while (people.size() < count) {
      String name = pick(NameBank.FIRST_NAMES, random) + " " + pick(NameBank.LAST_NAMES, random);
      if (!names.add(name)) {
        continue;
      }
      // A third of contacts are colleagues, the rest at other organisations.
      Organisation org =
          random.nextInt(3) == 0 ? owner.organisation() : pick(NameBank.ORGANISATIONS, random);
      String email = NameBank.localPart(name) + "@" + org.domain();
      people.add(new Person(name, email, pick(NameBank.TITLES, random), org));
    }
    return people;
  }

  static <T> T pick(List<T> list, Random random) {
    return list.get(random.nextInt(list.size()));
  }

  /** Writes one conversation: a first message, then replies and sometimes a forward. */
  private final class ThreadWriter {
    private final MailboxSpec spec;
    private final Person owner;
    private final List<Person> contacts;
    private final Random random;
    private final String conversationId;
    private final String topic;
    private boolean arrivalsOnly;

    ThreadWriter(MailboxSpec spec, Person owner, List<Person> contacts, Random random, int thread) {
      this.spec = spec;
      this.owner = owner;
      this.contacts = contacts;
      this.random = random;
      this.conversationId = "AAQk" + token(random, 24);
      this.topic = pick(NameBank.TOPICS, random);
    }

    void write(Instant threadStart, int remaining, List<MailMessage> out) {
      int length = Math.min(remaining, 1 + (int) Math.min(5, -Math.log(random.nextDouble()) * 1.5));
      List<Person> participants = new ArrayList<>();
      participants.add(owner);
      int others = 1 + random.nextInt(3);
      while (participants.size() <= others) {
        Person p = pick(contacts, random);
        if (!participants.contains(p)) {
          participants.add(p);
        }
      }
      String baseSubject =
          topic
              + (random.nextBoolean() ? "" : " – " + pick(contacts, random).organisation().name());
      Instant at = threadStart;
      Person previousSender = null;
      String previousBody = null;
      for (int i = 0; i < length; i++) {
        boolean forward = i > 0 && random.nextInt(10) == 0;
        if (forward) {
          Person newcomer = pick(contacts, random);
          if (!participants.contains(newcomer)) {
            participants.add(newcomer);
          }
        }
        Person sender = chooseSender(participants, previousSender, i);
        String subject = i == 0 ? baseSubject : (forward ? "FW: " : "RE: ") + baseSubject;
        out.add(
            message(sender, participants, subject, at, previousSender, previousBody, out.size()));
        previousBody = out.get(out.size() - 1).textBody();
        previousSender = sender;
        if (!arrivalsOnly) {
          at = at.plusSeconds(300 + random.nextInt(72 * 3600));
          if (at.isAfter(end)) {
            at = end.minusSeconds(random.nextInt(3600) + 1);
          }
        }
      }
    }

    private Person chooseSender(List<Person> participants, Person previous, int index) {
      // The owner writes about a fifth of first messages; replies alternate between people.
      if (index == 0) {
        return random.nextInt(5) == 0
            ? owner
            : participants.get(1 + random.nextInt(participants.size() - 1));
      }
      Person sender;
      do {
        sender = pick(participants, random);
      } while (sender.equals(previous));
      return sender;
    }

    private MailMessage message(
        Person sender,
        List<Person> participants,
        String subject,
        Instant at,
        Person previousSender,
        String previousBody,
        int index) {
      List<Person> to = new ArrayList<>();
      List<Person> cc = new ArrayList<>();
      for (Person p : participants) {
        if (p.equals(sender)) {
          continue;
        }
        // The owner is always a recipient of mail they did not send, or it would not be here.
        if (to.isEmpty() || p.equals(owner) || random.nextInt(3) > 0) {
          to.add(p);
        } else {
          cc.add(p);
        }
      }
      Map<String, Person> people = new LinkedHashMap<>();
      people.put(sender.email(), sender);
      to.forEach(p -> people.put(p.email(), p));
      cc.forEach(p -> people.put(p.email(), p));
      boolean attachments = random.nextInt(7) == 0;
      BodyWriter body = new BodyWriter(random, contacts, people.keySet());
      String text = body.write(sender, to.get(0), attachments, previousSender, previousBody, at);
      // Everyone named in the text counts, quoted history included: that is what a reader sees.
      for (Person p : contacts) {
        if (text.contains(p.name())) {
          people.putIfAbsent(p.email(), p);
        }
      }
      String folder =
          sender.equals(owner) ? "sentitems" : (random.nextInt(10) == 0 ? "archive" : "inbox");
      Instant sent = at.minusSeconds(1 + random.nextInt(30));
      return new MailMessage(
          "AAMk" + token(random, 48),
          "<"
              + token(random, 18).replace('-', 'x').replace('_', 'y')
              + "@"
              + sender.organisation().domain()
              + ">",
          conversationId,
          folder,
          subject,
          sender,
          to,
          cc,
          sent,
          at,
          attachments,
          text,
          truth(sender, to, people, body.late));
    }

    private GroundTruth truth(
        Person sender, List<Person> to, Map<String, Person> people, Person late) {
      Set<Entity> entities = new LinkedHashSet<>();
      List<Relationship> relationships = new ArrayList<>();
      for (Person p : people.values()) {
        entities.add(Entity.of(p));
        entities.add(Entity.of(p.organisation()));
        relationships.add(
            new Relationship(p.name(), Relationship.WORKS_AT, p.organisation().name()));
      }
      for (Person recipient : to) {
        relationships.add(new Relationship(sender.name(), Relationship.EMAILED, recipient.name()));
      }
      return new GroundTruth(
          new ArrayList<>(entities), relationships, late == null ? null : late.name());
    }
  }

  /** Writes a body whose size is drawn from 200 B to 40 KB, long ones with a late entity. */
  private static final class BodyWriter {
    private final Random random;
    private final List<Person> contacts;
    private final Set<String> excluded;
    Person late;

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
      StringBuilder text = new StringBuilder(Math.min(target + 2048, MAX_BODY_BYTES));
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
      boolean longBody = target > LONG_BODY_BYTES;
      int written = utf8(text);
      int wanted = target - utf8(signature) - utf8(quote) - (longBody ? 300 : 0);
      // A late entity must start past the first 10 KB, whatever follows it.
      int padTo = longBody ? Math.max(wanted, LONG_BODY_BYTES + 64) : wanted;
      while (written + 2 < padTo) {
        String paragraph = filler() + "\n\n";
        text.append(paragraph);
        written += utf8(paragraph);
      }
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
      return truncate(text.toString());
    }

    private int targetSize() {
      int roll = random.nextInt(100);
      if (roll < 70) {
        return MIN_BODY_BYTES + random.nextInt(2800);
      }
      if (roll < 88) {
        return 3000 + random.nextInt(7000);
      }
      return LONG_BODY_BYTES + 500 + random.nextInt(MAX_BODY_BYTES - LONG_BODY_BYTES - 2000);
    }

    private String mention(Instant at) {
      Person person = unmentioned();
      LocalDate day = at.atOffset(ZoneOffset.UTC).toLocalDate().plusDays(2 + random.nextInt(20));
      return pick(NameBank.MENTIONS, random)
          .replace("{person}", person.name())
          .replace("{org}", person.organisation().name())
          .replace("{day}", DAY.format(day))
          .replace("{amount}", "€" + (5 + random.nextInt(500)) + ",000")
          .replace("{topic}", pick(NameBank.TOPICS, random).toLowerCase(Locale.ROOT));
    }

    private Person unmentioned() {
      for (int attempt = 0; attempt < 50; attempt++) {
        Person p = pick(contacts, random);
        if (excluded.add(p.email())) {
          return p;
        }
      }
      return pick(contacts, random);
    }

    private String filler() {
      StringBuilder paragraph = new StringBuilder();
      int sentences = 3 + random.nextInt(4);
      for (int i = 0; i < sentences; i++) {
        paragraph.append(pick(NameBank.FILLER, random)).append(' ');
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
      while (utf8(text) > MAX_BODY_BYTES) {
        text = text.substring(0, text.length() - 512);
      }
      return text;
    }
  }

  static int utf8(CharSequence text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : (c < 0x800 ? 2 : (Character.isSurrogate(c) ? 2 : 3));
    }
    return bytes;
  }

  private static String token(Random random, int bytes) {
    byte[] raw = new byte[bytes];
    random.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }
}
