package io.backfill.worker.llm;

import java.util.List;

/**
 * What the model found in one message: people and organisations, and facts linking them by name.
 *
 * @param messageId the message the answer is about
 */
public record LlmAnswer(String messageId, List<Found> entities, List<Link> relationships) {

  public LlmAnswer {
    entities = List.copyOf(entities);
    relationships = List.copyOf(relationships);
  }

  /**
   * An entity as the model wrote it.
   *
   * @param type {@code PERSON} or {@code ORGANIZATION}
   * @param email a person's address or an organisation's domain; null when the model gave none
   */
  public record Found(String name, String type, String email) {}

  /**
   * A fact between two entities named in the same answer.
   *
   * @param relation {@code WORKS_AT} or {@code EMAILED}
   */
  public record Link(String source, String relation, String target) {}
}
