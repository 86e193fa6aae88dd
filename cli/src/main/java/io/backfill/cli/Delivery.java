package io.backfill.cli;

/** Where the broker stored an acknowledged record. */
record Delivery(String topic, int partition, long offset) {}
