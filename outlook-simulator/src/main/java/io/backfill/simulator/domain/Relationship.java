package io.backfill.simulator.domain;

/**
 * A fact linking two entities, by name.
 *
 * @param type {@code WORKS_AT} (person to organisation) or {@code EMAILED} (sender to recipient)
 */
public record Relationship(String source, String type, String target) {

  public static final String WORKS_AT = "WORKS_AT";
  public static final String EMAILED = "EMAILED";
}
