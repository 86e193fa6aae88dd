package io.backfill.simulator.graph;

/** Where a multi-tenant app stands in a directory. */
public enum ConsentState {
  /** The administrator never consented: the app is not in the directory at all. */
  NEVER,
  /** Consented and still in force. */
  CONSENTED,
  /** Consented once, then withdrawn. */
  WITHDRAWN
}
