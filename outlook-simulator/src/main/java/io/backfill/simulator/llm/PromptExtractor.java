package io.backfill.simulator.llm;

import io.backfill.simulator.config.SimulatorConfig;
import io.backfill.simulator.domain.Entity;
import io.backfill.simulator.domain.Mailbox;
import io.backfill.simulator.domain.MailboxRegistry;
import io.backfill.simulator.domain.MessageList;
import io.backfill.simulator.domain.Relationship;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

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

  /** Where each known person works, and who is known, built from all mailboxes' ground truth. */
  private record Dictionary(
      int version,
      Map<String, Entity> people,
      Map<String, Entity> orgs,
      Map<String, String> worksAt) {}

  private final MailboxRegistry mailboxes;
  private final double precision;
  private final double recall;
  private volatile Dictionary dictionary;

  PromptExtractor(MailboxRegistry mailboxes, SimulatorConfig config) {
    this.mailboxes = mailboxes;
    this.precision = config.llm().precision();
    this.recall = config.llm().recall();
  }

  public Extraction extract(String prompt) {
    Dictionary d = dictionary();
    Set<Entity> truth = new LinkedHashSet<>();
    for (Entity person : d.people().values()) {
      // A person named in changed mail may be known by name only (no address, no organisation).
      if (prompt.contains(person.name())
          || (person.email() != null && prompt.contains(person.email()))) {
        truth.add(person);
        Entity org = d.orgs().get(d.worksAt().get(person.name()));
        if (org != null) {
          truth.add(org);
        }
      }
    }
    for (Entity org : d.orgs().values()) {
      if (prompt.contains(org.name())) {
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
    Dictionary built = new Dictionary(version, people, orgs, worksAt);
    dictionary = built;
    return built;
  }
}
