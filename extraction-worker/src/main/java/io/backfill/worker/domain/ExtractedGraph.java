package io.backfill.worker.domain;

import java.util.List;

/**
 * What the rules found in one chunk, already deduplicated on natural keys so that each row is
 * written once per chunk and a chunk extracted again yields exactly the same rows.
 */
public record ExtractedGraph(
    List<Entity> entities, List<Mention> mentions, List<Relationship> relationships) {

  /** The part of the graph these messages yield: their mentions, relationships and entities. */
  public ExtractedGraph ofMessages(java.util.Set<String> messageIds) {
    List<Mention> keptMentions =
        mentions.stream().filter(m -> messageIds.contains(m.messageId())).toList();
    List<Relationship> keptRelationships =
        relationships.stream().filter(r -> messageIds.contains(r.messageId())).toList();
    java.util.Set<String> keys = new java.util.HashSet<>();
    keptMentions.forEach(m -> keys.add(m.entityKey()));
    keptRelationships.forEach(
        r -> {
          keys.add(r.sourceKey());
          keys.add(r.targetKey());
        });
    return new ExtractedGraph(
        entities.stream().filter(e -> keys.contains(e.key())).toList(),
        keptMentions,
        keptRelationships);
  }

  /** Entity kinds. */
  public static final String PERSON = "person";

  public static final String ORGANISATION = "organisation";
  public static final String THREAD = "thread";
  public static final String DATE = "date";

  /** Relationship types. */
  public static final String SENT_TO = "sent_to";

  public static final String CC = "cc";
  public static final String WORKS_AT = "works_at";
  public static final String REPLIED_IN = "replied_in";

  /**
   * An entity of a tenant, keyed by {@code <kind>:<normalised value>} (a lower-case address, a
   * domain, a conversation id, an ISO date).
   *
   * @param address the mail address of a person; null for other kinds
   */
  public record Entity(String key, String kind, String name, String address) {}

  /** An entity named in a message, with the roles it has there (from, to, cc, thread, …). */
  public record Mention(String messageId, String entityKey, List<String> roles) {}

  /** A typed edge between two entities, as seen in one message. */
  public record Relationship(String sourceKey, String type, String targetKey, String messageId) {}
}
