package io.backfill.cli.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.serde.EventJson;

/** A job status shaped as the gateway serves it, with one timeout, one retry and one error. */
public final class SampleStatus {

  public static final String JOB = "6f1c2b7e-8a4d-4c1e-9f0a-0123456789ab";

  private SampleStatus() {}

  public static JsonNode running() {
    return parse(
        """
        {"jobId":"%1$s","tenantId":"acme","requestId":"q1","mailbox":"ada@acme.example",
         "window":{"from":"2024-01-01T00:00:00Z","to":"2025-01-01T00:00:00Z"},
         "status":"running",
         "progress":{"chunksKnown":20,"chunksDone":9,"messagesFetched":2000,"messagesExtracted":900,
                     "percent":45,"hasMore":true,"eta":null,"chunksPublished":20},
         "counts":{"entities":3400,"relationships":1200,"embeddings":900,
                   "llmOutcomes":{"ok":8,"skipped_no_key":1}},
         "runs":[
           {"runId":"extract:%1$s:3","lane":"extract","state":"running","retryDueAttempt":null,
            "attempts":[
              {"attemptId":"a1","attemptNumber":1,"state":"timed_out","workerId":"worker-b"},
              {"attemptId":"a2","attemptNumber":2,"state":"running","workerId":"worker-c",
               "buildSha":"0123456789abcdef","lastHeartbeatAgeMs":1200,"progressDone":3,
               "progressTotal":10,"progressPhase":"llm"}]},
           {"runId":"extract:%1$s:4","lane":"extract","state":"retry-due","retryDueAttempt":2,
            "retryReason":"failed: IllegalStateException","attempts":[
              {"attemptId":"a3","attemptNumber":1,"state":"failed","workerId":"worker-a"}]},
           {"runId":"fetch:%1$s","lane":"fetch","state":"running","attempts":[
              {"attemptId":"f1","attemptNumber":1,"state":"running","workerId":"fetcher-1",
               "stalledForMs":30000}]}],
         "runsTotal":11,
         "timeouts":[{"runId":"extract:%1$s:3","attemptId":"a1","attemptNumber":1,
           "diagnosis":{"rule":"stale","lane":"extract","heartbeatAgeMs":16000,"attemptAgeMs":60000,
                        "staleAfterMs":15000,"lastProgress":{"done":40,"total":100,"phase":"llm"},
                        "workerId":"worker-b","buildSha":"sha-b"}}],
         "lastErrors":[{"runId":"extract:%1$s:4","attemptId":"a3",
           "type":"java.lang.IllegalStateException","message":"the LLM answered with nothing",
           "stackTrace":"java.lang.IllegalStateException: the LLM answered with nothing\\n\\tat a.B.c(B.java:1)\\n\\tat a.B.d(B.java:2)",
           "retryable":true}],
         "createdAt":"2024-06-01T10:00:00Z","updatedAt":"2024-06-01T10:01:05Z"}
        """
            .formatted(JOB));
  }

  public static JsonNode completed() {
    return parse(
        """
        {"jobId":"%1$s","status":"completed",
         "progress":{"chunksKnown":50,"chunksDone":50,"messagesFetched":5000,"messagesExtracted":5000,
                     "percent":100,"hasMore":false,"chunks":50,"failedChunks":0},
         "counts":{"entities":17000,"relationships":6000,"embeddings":5000,"llmOutcomes":{"ok":50}},
         "runs":[{"runId":"extract:%1$s:3","state":"completed","attempts":[
           {"attemptId":"a1","attemptNumber":1,"state":"timed_out"},
           {"attemptId":"a2","attemptNumber":2,"state":"completed"}]}],
         "timeouts":[{"runId":"extract:%1$s:3","attemptId":"a1","attemptNumber":1,
                      "diagnosis":{"rule":"stale","lane":"extract","attemptAgeMs":20000}}],
         "lastErrors":[],
         "createdAt":"2024-06-01T10:00:00Z","updatedAt":"2024-06-01T10:00:40Z"}
        """
            .formatted(JOB));
  }

  public static JsonNode parse(String json) {
    try {
      return EventJson.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
