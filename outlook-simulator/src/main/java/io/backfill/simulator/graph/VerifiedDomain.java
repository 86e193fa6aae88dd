package io.backfill.simulator.graph;

/** A domain of a directory, as Graph's organization lists it in {@code verifiedDomains}. */
public record VerifiedDomain(String name, boolean isDefault, boolean isInitial) {}
