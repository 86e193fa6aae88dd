package io.backfill.simulator.domain;

/** Someone who sends, receives or is mentioned in generated mail. */
public record Person(String name, String email, String title, Organisation organisation) {

  /** The given name, used in greetings. */
  public String firstName() {
    int space = name.indexOf(' ');
    return space < 0 ? name : name.substring(0, space);
  }
}
