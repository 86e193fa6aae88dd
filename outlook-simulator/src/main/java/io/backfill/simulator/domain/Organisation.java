package io.backfill.simulator.domain;

/** A company that people in generated mail work for, known by its mail domain. */
public record Organisation(String name, String domain) {}
