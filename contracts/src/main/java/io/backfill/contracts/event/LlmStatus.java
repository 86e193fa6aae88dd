package io.backfill.contracts.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The outcome of the LLM phase of a chunk; never an empty success. */
public enum LlmStatus {
  /** Every call answered with valid JSON. */
  @JsonProperty("ok")
  OK,
  /** Some answers needed repair (fenced or slightly invalid JSON) or the fallback model. */
  @JsonProperty("recovered")
  RECOVERED,
  /** The tenant has no LLM key: rule-based entities and embeddings only, visibly. */
  @JsonProperty("skipped_no_key")
  SKIPPED_NO_KEY,
  /** Some messages got no LLM answer after repair and fallback; the reasons are recorded. */
  @JsonProperty("partial")
  PARTIAL,
  /** No message got an LLM answer. */
  @JsonProperty("failed")
  FAILED
}
