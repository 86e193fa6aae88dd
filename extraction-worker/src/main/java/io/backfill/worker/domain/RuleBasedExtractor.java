package io.backfill.worker.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.ExtractedGraph.Entity;
import io.backfill.worker.domain.ExtractedGraph.Mention;
import io.backfill.worker.domain.ExtractedGraph.Relationship;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Entities and relationships that need no model: people (name + address) from from/to/cc,
 * organisations from non-public domains, the message's thread and its date; relationships sent-to,
 * cc, works-at and replied-in. Pure: the same chunk always gives the same graph.
 */
@ApplicationScoped
public class RuleBasedExtractor {

  /** Reply prefixes of common mail clients (English, German, Nordic, French). */
  private static final Pattern REPLY = Pattern.compile("(?i)^\\s*(re|aw|sv|vs|r[ée]f?)\\s*:.*");

  private static final Pattern PREFIXES =
      Pattern.compile("(?i)^(\\s*(re|aw|sv|vs|fw|fwd|wg|tr|r[ée]f?)\\s*:\\s*)+");

  private final Set<String> publicDomains;

  RuleBasedExtractor(WorkerConfig config) {
    this.publicDomains = Set.copyOf(config.publicMailDomains());
  }

  public ExtractedGraph extract(Chunk chunk) {
    Map<String, Entity> entities = new LinkedHashMap<>();
    List<Mention> mentions = new ArrayList<>();
    Set<Relationship> relationships = new LinkedHashSet<>();
    for (MailMessage message : chunk.messages()) {
      Map<String, Set<String>> roles = new LinkedHashMap<>();
      String sender = person(message.from(), "from", entities, roles, relationships, message);
      for (Recipient to : message.to()) {
        String key = person(to, "to", entities, roles, relationships, message);
        if (sender != null && key != null) {
          relationships.add(new Relationship(sender, ExtractedGraph.SENT_TO, key, message.id()));
        }
      }
      for (Recipient cc : message.cc()) {
        String key = person(cc, "cc", entities, roles, relationships, message);
        if (sender != null && key != null) {
          relationships.add(new Relationship(sender, ExtractedGraph.CC, key, message.id()));
        }
      }
      if (message.conversationId() != null && !message.conversationId().isBlank()) {
        String key = ExtractedGraph.THREAD + ":" + message.conversationId();
        entities.putIfAbsent(
            key, new Entity(key, ExtractedGraph.THREAD, topic(message.subject()), null));
        roles.computeIfAbsent(key, k -> new TreeSet<>()).add("thread");
        if (sender != null
            && message.subject() != null
            && REPLY.matcher(message.subject()).matches()) {
          relationships.add(new Relationship(sender, ExtractedGraph.REPLIED_IN, key, message.id()));
        }
      }
      String day = message.receivedAt().atOffset(ZoneOffset.UTC).toLocalDate().toString();
      String dateKey = ExtractedGraph.DATE + ":" + day;
      entities.putIfAbsent(dateKey, new Entity(dateKey, ExtractedGraph.DATE, day, null));
      roles.computeIfAbsent(dateKey, k -> new TreeSet<>()).add("received");
      roles.forEach(
          (key, keyRoles) -> mentions.add(new Mention(message.id(), key, List.copyOf(keyRoles))));
    }
    return new ExtractedGraph(
        List.copyOf(entities.values()), List.copyOf(mentions), List.copyOf(relationships));
  }

  /** Adds the person and their organisation; returns the person's key (null without address). */
  private String person(
      Recipient recipient,
      String role,
      Map<String, Entity> entities,
      Map<String, Set<String>> roles,
      Set<Relationship> relationships,
      MailMessage message) {
    if (recipient == null || recipient.address().isBlank()) {
      return null;
    }
    String address = recipient.address().trim().toLowerCase(Locale.ROOT);
    String key = ExtractedGraph.PERSON + ":" + address;
    String name =
        recipient.name() == null || recipient.name().isBlank() ? null : recipient.name().trim();
    Entity known = entities.get(key);
    // The first display name seen in the chunk wins, so a rerun picks the same one.
    if (known == null || (known.name() == null && name != null)) {
      entities.put(key, new Entity(key, ExtractedGraph.PERSON, name, address));
    }
    roles.computeIfAbsent(key, k -> new TreeSet<>()).add(role);
    int at = address.lastIndexOf('@');
    String domain = at < 0 ? "" : address.substring(at + 1);
    if (!domain.isEmpty() && !publicDomains.contains(domain)) {
      String organisation = ExtractedGraph.ORGANISATION + ":" + domain;
      entities.putIfAbsent(
          organisation, new Entity(organisation, ExtractedGraph.ORGANISATION, domain, null));
      roles.computeIfAbsent(organisation, k -> new TreeSet<>()).add("domain");
      relationships.add(new Relationship(key, ExtractedGraph.WORKS_AT, organisation, message.id()));
    }
    return key;
  }

  /** A thread's name: its subject without reply and forward prefixes. */
  private static String topic(String subject) {
    if (subject == null) {
      return null;
    }
    String topic = PREFIXES.matcher(subject).replaceFirst("").trim();
    return topic.isEmpty() ? null : topic;
  }
}
