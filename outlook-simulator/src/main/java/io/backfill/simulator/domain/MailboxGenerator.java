package io.backfill.simulator.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Generates a mailbox from (seed, size): the owner's contacts across organisations, threads with
 * replies and forwards, bodies from 200 B to 40 KB, and the ground truth of every message.
 * Everything is drawn from one seeded {@link Random} in a fixed order, so the same seed and size
 * always give the same mail; the generator's state at the start of each thread is kept, so any
 * thread can be written again alike without keeping the mail.
 */
public final class MailboxGenerator {

  /** Bodies over this size carry an entity only near their end (the worker reads up to 10 KB). */
  static final int LONG_BODY_BYTES = 10 * 1024;

  static final int MAX_BODY_BYTES = 40 * 1024;

  private final Instant end;
  private final int spanDays;

  public MailboxGenerator(Instant end, int spanDays) {
    this.end = end.truncatedTo(ChronoUnit.SECONDS);
    this.spanDays = spanDays;
  }

  /**
   * Generates a mailbox in one pass that keeps only what paging and look-ups need of each message
   * (see {@link GeneratedMail}); a message itself is derived again from its thread when asked for.
   */
  public Mailbox generate(MailboxSpec spec) {
    SeededRandom random = new SeededRandom(spec.seed());
    Person owner = owner(spec.address(), random);
    List<Person> contacts = contacts(owner, spec.size(), random);
    GeneratedMail.Builder mail =
        new GeneratedMail.Builder(this, spec, owner, contacts, start().getEpochSecond());
    int written = 0;
    int thread = 0;
    while (written < spec.size()) {
      mail.thread(random.state(), written);
      written += writeThread(spec, owner, contacts, random, thread++, written, mail::add);
    }
    return new Mailbox(spec, owner, mail.build());
  }

  /** The messages of one thread, replayed from the generator state saved at its start. */
  List<MailMessage> replay(
      MailboxSpec spec, Person owner, List<Person> contacts, long state, int first, int thread) {
    SeededRandom random = new SeededRandom(0);
    random.restore(state);
    List<MailMessage> out = new ArrayList<>(6);
    writeThread(spec, owner, contacts, random, thread, first, out::add);
    return out;
  }

  private int writeThread(
      MailboxSpec spec,
      Person owner,
      List<Person> contacts,
      Random random,
      int thread,
      int written,
      Consumer<MailMessage> out) {
    Instant threadStart =
        start().plusSeconds((long) (random.nextDouble() * Duration.ofDays(spanDays).toSeconds()));
    return new ThreadWriter(spec, owner, contacts, random, thread)
        .write(threadStart, spec.size() - written, out);
  }

  private Instant start() {
    return end.minus(Duration.ofDays(spanDays));
  }

  /**
   * New mail for a mailbox, received at {@code now}. Drawn from a seed derived from how much mail
   * the box already holds, so arrivals are reproducible too.
   */
  public List<MailMessage> arrivals(Mailbox mailbox, int count, Instant now) {
    int held = mailbox.snapshot().size();
    Random random = new Random(mailbox.spec().seed() * 31 + held);
    List<Person> contacts = contacts(mailbox.owner(), mailbox.spec().size(), random);
    List<MailMessage> arrivals = new ArrayList<>(count);
    Instant at = now.truncatedTo(ChronoUnit.SECONDS);
    int thread = 1_000_000 + held;
    while (arrivals.size() < count) {
      ThreadWriter writer =
          new ThreadWriter(mailbox.spec(), mailbox.owner(), contacts, random, thread++);
      writer.arrivalsOnly = true;
      writer.write(at, count - arrivals.size(), arrivals::add);
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

    int write(Instant threadStart, int remaining, Consumer<MailMessage> out) {
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
        MailMessage message =
            message(sender, participants, subject, at, previousSender, previousBody);
        out.accept(message);
        previousBody = message.textBody();
        previousSender = sender;
        if (!arrivalsOnly) {
          at = at.plusSeconds(300 + random.nextInt(72 * 3600));
          if (at.isAfter(end)) {
            at = end.minusSeconds(random.nextInt(3600) + 1);
          }
        }
      }
      return length;
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
        String previousBody) {
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
        if (body.names(p.name())) {
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
