package io.backfill.worker.llm;

/** How one message ended: an answer (maybe repaired, maybe from the fallback) or a failure. */
record MessageResult(
    LlmAnswer answer, boolean repaired, boolean fallback, String reason, String detail) {

  static MessageResult failed(String reason, String detail) {
    return new MessageResult(null, false, false, reason, detail);
  }
}
