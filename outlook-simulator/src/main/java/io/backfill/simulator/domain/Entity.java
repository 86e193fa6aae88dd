package io.backfill.simulator.domain;

/**
 * An entity a correct extraction finds in a message.
 *
 * @param type {@code PERSON} or {@code ORGANIZATION}
 * @param name as written in the message
 * @param email the person's address or the organisation's domain; null when unknown
 */
public record Entity(String type, String name, String email) {

  public static final String PERSON = "PERSON";
  public static final String ORGANIZATION = "ORGANIZATION";

  public static Entity of(Person person) {
    return new Entity(PERSON, person.name(), person.email());
  }

  public static Entity of(Organisation organisation) {
    return new Entity(ORGANIZATION, organisation.name(), organisation.domain());
  }
}
