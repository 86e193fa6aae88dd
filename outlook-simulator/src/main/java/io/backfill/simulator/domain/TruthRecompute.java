package io.backfill.simulator.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ground truth of a message whose body was changed, by the generator's rule as far as the text
 * allows: everyone in the headers stays (sender, To, Cc); every "First Last" of the name bank that
 * the new text names is found — with address and organisation (and WORKS_AT) when the person is
 * someone of the mailbox (in any message's headers or ground truth), as a PERSON without address
 * otherwise; EMAILED from the sender to each To recipient; {@code lateEntity} stays only if the new
 * text still names that person and only past its first 10 KB.
 */
final class TruthRecompute {

  private TruthRecompute() {}

  static GroundTruth of(Mailbox.State state, MailMessage message, String text) {
    Map<String, Person> known = people(state);
    Map<String, Person> people = new LinkedHashMap<>();
    people.put(message.from().email(), message.from());
    message.toRecipients().forEach(p -> people.put(p.email(), p));
    message.ccRecipients().forEach(p -> people.put(p.email(), p));
    Set<Entity> entities = new LinkedHashSet<>();
    List<Relationship> relationships = new ArrayList<>();
    for (Person p : people.values()) {
      add(p, entities, relationships);
    }
    for (String name : namesIn(text)) {
      Person p = known.get(name);
      if (p == null) {
        entities.add(new Entity(Entity.PERSON, name, null));
      } else if (!people.containsKey(p.email())) {
        people.put(p.email(), p);
        add(p, entities, relationships);
      }
    }
    for (Person recipient : message.toRecipients()) {
      relationships.add(
          new Relationship(message.from().name(), Relationship.EMAILED, recipient.name()));
    }
    String late = message.groundTruth().lateEntity();
    if (late != null && !onlyLate(text, late)) {
      late = null;
    }
    return new GroundTruth(new ArrayList<>(entities), relationships, late);
  }

  private static void add(Person p, Set<Entity> entities, List<Relationship> relationships) {
    entities.add(Entity.of(p));
    entities.add(Entity.of(p.organisation()));
    relationships.add(new Relationship(p.name(), Relationship.WORKS_AT, p.organisation().name()));
  }

  /**
   * Everyone the mailbox knows by name: header people and people of the ground truth of the
   * messages there now. The generated mail is counted without deriving it: a person of the
   * generated box is known while a generated message still there names them.
   */
  private static Map<String, Person> people(Mailbox.State state) {
    MessageList messages = state.messages();
    GeneratedMail base = messages.base();
    Map<String, Integer> named = new HashMap<>(base.presence());
    for (MailMessage gone : messages.hiddenGenerated()) {
      for (Entity e : gone.groundTruth().entities()) {
        if (Entity.PERSON.equals(e.type()) && e.email() != null) {
          named.merge(e.name(), -1, Integer::sum);
        }
      }
    }
    Map<String, Person> byName = new HashMap<>();
    List<Person> generated = new ArrayList<>(base.contacts());
    generated.add(0, base.owner());
    for (Person p : generated) {
      if (named.getOrDefault(p.name(), 0) > 0) {
        byName.putIfAbsent(p.name(), p);
      }
    }
    Map<String, Organisation> orgByDomain = new HashMap<>();
    for (MailMessage m : messages.changed()) {
      byName.putIfAbsent(m.from().name(), m.from());
      m.toRecipients().forEach(p -> byName.putIfAbsent(p.name(), p));
      m.ccRecipients().forEach(p -> byName.putIfAbsent(p.name(), p));
    }
    for (Person p : byName.values()) {
      orgByDomain.putIfAbsent(p.organisation().domain(), p.organisation());
    }
    for (Organisation o : NameBank.ORGANISATIONS) {
      orgByDomain.putIfAbsent(o.domain(), o);
    }
    for (MailMessage m : messages.changed()) {
      for (Entity e : m.groundTruth().entities()) {
        if (Entity.PERSON.equals(e.type()) && e.email() != null && !byName.containsKey(e.name())) {
          Organisation org = orgByDomain.get(e.email().substring(e.email().indexOf('@') + 1));
          if (org != null) {
            byName.put(e.name(), new Person(e.name(), e.email(), "", org));
          }
        }
      }
    }
    return byName;
  }

  /** "First Last" pairs of the name bank that the text contains, in order of first mention. */
  static List<String> namesIn(String text) {
    Set<String> found = new LinkedHashSet<>();
    for (String first : NameBank.FIRST_NAMES) {
      int at = text.indexOf(first + " ");
      while (at >= 0) {
        boolean wordStart = at == 0 || !Character.isLetter(text.charAt(at - 1));
        if (wordStart) {
          int lastStart = at + first.length() + 1;
          for (String last : NameBank.LAST_NAMES) {
            int end = lastStart + last.length();
            if (text.startsWith(last, lastStart)
                && (end == text.length() || !Character.isLetter(text.charAt(end)))) {
              found.add(first + " " + last);
            }
          }
        }
        at = text.indexOf(first + " ", at + 1);
      }
    }
    return new ArrayList<>(found);
  }

  private static boolean onlyLate(String text, String name) {
    int at = text.indexOf(name);
    return at >= 0
        && text.substring(0, at).getBytes(StandardCharsets.UTF_8).length
            >= MailboxGenerator.LONG_BODY_BYTES;
  }
}
