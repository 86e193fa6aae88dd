package io.backfill.contracts.event;

/** A mail address with its display name, as Graph's emailAddress gives it. */
public record Recipient(@OptionalField String name, String address) {

  public Recipient {
    Require.text(address, "address");
  }
}
