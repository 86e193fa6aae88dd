package io.backfill.simulator.llm;

import io.backfill.simulator.config.SimulatorConfig;
import io.backfill.simulator.domain.Entity;
import io.backfill.simulator.domain.Mailbox;
import io.backfill.simulator.domain.MailboxRegistry;
import io.backfill.simulator.domain.MessageList;
import io.backfill.simulator.domain.Relationship;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.ahocorasick.trie.Emit;
import org.ahocorasick.trie.Trie;

/**
 * The simulated model's reading of a prompt: the people and organisations of the generated mail
 * that the prompt names, and where each person works, as the generator's ground truth has it.
 * Recall drops some true entities and precision adds invented ones, deterministically per prompt.
 */
@ApplicationScoped
public class PromptExtractor {

  /** Names a model might invent: in no generated mailbox. */
  private static final List<Entity> INVENTED =
      List.of(
          new Entity(Entity.PERSON, "Quinn Halvorsen", "quinn.halvorsen@example.org"),
          new Entity(Entity.PERSON, "Marta Ebbesen", "marta.ebbesen@example.org"),
          new Entity(Entity.PERSON, "Dario Castellanos", "dario.castellanos@example.org"),
          new Entity(Entity.ORGANIZATION, "Orbital Dynamics", "orbitaldynamics.example"),
          new Entity(Entity.ORGANIZATION, "Helios Freight", "heliosfreight.example"),
          new Entity(Entity.PERSON, "Priscilla Vance", "priscilla.vance@example.org"));

  /**
   * Where each known person works, and who is known, built from all mailboxes' ground truth; with
   * an automaton of every name and address, so a prompt is read once for all of them.
   */
  private record Dictionary(
      int version,
      Map<String, Entity> people,
      Map<String, Entity> orgs,
      Map<String, String> worksAt,
      Trie names) {

    static Dictionary of(
        int version,
        Map<String, Entity> people,
        Map<String, Entity> orgs,
        Map<String, String> worksAt) {
      Trie.TrieBuilder names = Trie.builder();
      for (Entity e : people.values()) {
        names.addKeyword(e.name());
        if (e.email() != null) {
          names.addKeyword(e.email());
        }
      }
      orgs.values().forEach(e -> names.addKeyword(e.name()));
      return new Dictionary(version, people, orgs, worksAt, names.build());
    }

    /** Every name and address of the dictionary that occurs in {@code prompt}, anywhere. */
    Set<String> namedIn(String prompt) {
      Set<String> found = new HashSet<>();
      names.parseText(prompt, (Emit emit) -> found.add(emit.getKeyword()));
      return found;
    }
  }

  private final MailboxRegistry mailboxes;
  private final double precision;
  private final double recall;
  private volatile Dictionary dictionary;

  @Inject
  PromptExtractor(MailboxRegistry mailboxes, SimulatorConfig config) {
    this(mailboxes, config.llm().precision(), config.llm().recall());
  }

  PromptExtractor(MailboxRegistry mailboxes, double precision, double recall) {
    this.mailboxes = mailboxes;
    this.precision = precision;
    this.recall = recall;
  }

  public Extraction extract(String prompt) {
    Dictionary d = dictionary();
    Set<String> named = d.namedIn(prompt);
    Set<Entity> truth = new LinkedHashSet<>();
    for (Entity person : d.people().values()) {
      // A person named in changed mail may be known by name only (no address, no organisation).
      if (named(named, person.name()) || (person.email() != null && named(named, person.email()))) {
        truth.add(person);
        Entity org = d.orgs().get(d.worksAt().get(person.name()));
        if (org != null) {
          truth.add(org);
        }
      }
    }
    for (Entity org : d.orgs().values()) {
      if (named(named, org.name())) {
        truth.add(org);
      }
    }
    Random random = new Random(prompt.hashCode());
    List<Entity> answer = new ArrayList<>();
    for (Entity entity : truth) {
      if (random.nextDouble() < recall) {
        answer.add(entity);
      }
    }
    // Invent enough that kept / (kept + invented) is the configured precision on average.
    double invent = answer.size() * (1 - precision) / Math.max(precision, 0.01);
    int invented = (int) invent + (random.nextDouble() < invent - (int) invent ? 1 : 0);
    for (int i = 0; i < invented; i++) {
      answer.add(random.nextInt(answer.size() + 1), INVENTED.get(i % INVENTED.size()));
    }
    List<Relationship> relationships = new ArrayList<>();
    for (Entity entity : answer) {
      String org = d.worksAt().get(entity.name());
      if (org != null && answer.stream().anyMatch(e -> e.name().equals(org))) {
        relationships.add(new Relationship(entity.name(), Relationship.WORKS_AT, org));
      }
    }
    return new Extraction(answer, relationships);
  }

  /**
   * The names and addresses of the known entities that {@code prompt} contains, as {@link
   * String#contains} would find them one by one.
   */
  Set<String> namedIn(String prompt) {
    return dictionary().namedIn(prompt);
  }

  /** An empty name is in every prompt, as {@code String.contains("")} says. */
  private static boolean named(Set<String> named, String name) {
    return name.isEmpty() || named.contains(name);
  }

  private Dictionary dictionary() {
    int version = 0;
    for (Mailbox m : mailboxes.all()) {
      // Changed mail (a new body) is a new change-log position; a regenerated box a new epoch.
      version =
          version * 31
              + m.snapshot().size()
              + Long.hashCode(m.state().seq())
              + m.epoch().hashCode()
              + m.address().hashCode();
    }
    Dictionary current = dictionary;
    if (current != null && current.version() == version) {
      return current;
    }
    Map<String, Entity> people = new LinkedHashMap<>();
    Map<String, Entity> orgs = new LinkedHashMap<>();
    Map<String, String> worksAt = new LinkedHashMap<>();
    for (Mailbox m : mailboxes.all()) {
      // The truth of the mail, generated and changed, without deriving the generated mail.
      MessageList messages = m.snapshot();
      for (Entity e : messages.knownEntities()) {
        (e.type().equals(Entity.PERSON) ? people : orgs).putIfAbsent(e.name(), e);
      }
      for (Relationship r : messages.knownEmployers()) {
        worksAt.putIfAbsent(r.source(), r.target());
      }
    }
    Dictionary built = Dictionary.of(version, people, orgs, worksAt);
    dictionary = built;
    return built;
  }
}
