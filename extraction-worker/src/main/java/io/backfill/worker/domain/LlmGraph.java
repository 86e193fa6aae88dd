package io.backfill.worker.domain;

import io.backfill.worker.domain.ExtractedGraph.Entity;
import io.backfill.worker.domain.ExtractedGraph.Mention;
import io.backfill.worker.domain.ExtractedGraph.Relationship;
import io.backfill.worker.llm.LlmAnswer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Adds the LLM's answers to what the rules found, on the same natural keys: a person the model
 * gives with an address is the rules' {@code person:<address>}, an organisation with a domain is
 * {@code organisation:<domain>}; without them the key is the lower-cased name. The rules' names
 * win; the model adds mentions with the role {@code llm} and relationships between entities of one
 * answer.
 */
public final class LlmGraph {

  /** The mention role of what the model found. */
  public static final String LLM_ROLE = "llm";

  private LlmGraph() {}

  public static ExtractedGraph merge(ExtractedGraph rules, List<LlmAnswer> answers) {
    if (answers.isEmpty()) {
      return rules;
    }
    Map<String, Entity> entities = new LinkedHashMap<>();
    rules.entities().forEach(e -> entities.put(e.key(), e));
    Map<String, Mention> mentions = new LinkedHashMap<>();
    rules.mentions().forEach(m -> mentions.put(m.messageId() + "\u0000" + m.entityKey(), m));
    Set<Relationship> relationships = new LinkedHashSet<>(rules.relationships());
    for (LlmAnswer answer : answers) {
      Map<String, String> keyByName = new HashMap<>();
      for (LlmAnswer.Found found : answer.entities()) {
        Entity entity = entity(found);
        if (entity == null) {
          continue;
        }
        entities.putIfAbsent(entity.key(), entity);
        keyByName.put(normalise(found.name()), entity.key());
        if (found.email() != null) {
          keyByName.put(normalise(found.email()), entity.key());
        }
        mentions.merge(
            answer.messageId() + "\u0000" + entity.key(),
            new Mention(answer.messageId(), entity.key(), List.of(LLM_ROLE)),
            LlmGraph::withRoles);
      }
      for (LlmAnswer.Link link : answer.relationships()) {
        String source = keyByName.get(normalise(link.source()));
        String target = keyByName.get(normalise(link.target()));
        if (source != null && target != null && !source.equals(target)) {
          relationships.add(
              new Relationship(
                  source, link.relation().toLowerCase(Locale.ROOT), target, answer.messageId()));
        }
      }
    }
    return new ExtractedGraph(
        List.copyOf(entities.values()),
        List.copyOf(mentions.values()),
        new ArrayList<>(relationships));
  }

  private static Entity entity(LlmAnswer.Found found) {
    String name = found.name().strip();
    String email = found.email() == null ? null : found.email().strip().toLowerCase(Locale.ROOT);
    if (name.isEmpty()) {
      return null;
    }
    if (found.type().equals("PERSON")) {
      if (email != null && email.contains("@")) {
        return new Entity(ExtractedGraph.PERSON + ":" + email, ExtractedGraph.PERSON, name, email);
      }
      return new Entity(
          ExtractedGraph.PERSON + ":" + normalise(name), ExtractedGraph.PERSON, name, null);
    }
    String domain = email == null ? null : email.substring(email.indexOf('@') + 1);
    String key = domain != null && domain.contains(".") ? domain : normalise(name);
    return new Entity(
        ExtractedGraph.ORGANISATION + ":" + key, ExtractedGraph.ORGANISATION, name, null);
  }

  private static Mention withRoles(Mention existing, Mention added) {
    Set<String> roles = new LinkedHashSet<>(existing.roles());
    roles.addAll(added.roles());
    return new Mention(existing.messageId(), existing.entityKey(), List.copyOf(roles));
  }

  private static String normalise(String text) {
    return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }
}
