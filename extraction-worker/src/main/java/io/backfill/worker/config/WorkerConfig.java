package io.backfill.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** How the worker runs attempts of the {@code extract} lane (ARCHITECTURE §4 and §6). */
@ConfigMapping(prefix = "backfill.worker")
public interface WorkerConfig {

  /** This worker's id in run events; defaults to {@code <host>-<pid>}. */
  Optional<String> workerId();

  /** How often a running attempt heartbeats; declared in its RunStarted. */
  @WithDefault("5s")
  Duration heartbeatInterval();

  /**
   * An attempt that could not deliver a heartbeat for this many intervals cancels itself: the
   * ledger's staleness rule is {@code max(lane floor, 3 × interval)}, so the attempt stops before
   * the ledger can have given its run to another attempt.
   */
  @WithDefault("3")
  int staleAfterIntervals();

  /** Hard deadline of one attempt; on expiry it fails (retryable) and its work is cancelled. */
  @WithDefault("5m")
  Duration chunkDeadline();

  /**
   * Attempts running at once in this process. The chunk consumer waits for a free slot, so the
   * channel pauses its partitions instead of buffering chunks without limit.
   */
  @WithDefault("4")
  int maxInFlightAttempts();

  /**
   * Sequential mode, the baseline of the system this project replaces: one chunk at a time (one
   * attempt in flight), its messages one after another with one LLM call at a time, and embeddings
   * one by one (batches of 1). Heartbeats, deadlines, idempotent writes and outcomes work as
   * always. For benchmarks only: it overrides {@link #maxInFlightAttempts()}, {@code
   * llm.max-concurrent-calls} and {@link Embedding#batchSize()}.
   */
  @WithDefault("false")
  boolean sequential();

  /** Attempts at once: {@link #maxInFlightAttempts()}, or 1 in sequential mode. */
  default int attemptsAtOnce() {
    return sequential() ? 1 : maxInFlightAttempts();
  }

  /** Messages per embedding call: {@link Embedding#batchSize()}, or 1 in sequential mode. */
  default int embeddingBatchSize() {
    return sequential() ? 1 : embedding().batchSize();
  }

  /** How long a send to Kafka may take until it counts as failed (acks=all). */
  @WithDefault("10s")
  Duration publishTimeout();

  /** Pause between tries to announce an attempt (RunStarted) while Kafka does not acknowledge. */
  @WithDefault("2s")
  Duration startRetryBackoff();

  /** How long a retry may wait for its chunk when re-reading it by coordinates. */
  @WithDefault("30s")
  Duration chunkReadTimeout();

  /**
   * Mail domains of public providers: their users are people, not colleagues, so they make no
   * organisation and no works-at relationship.
   */
  @WithDefault(
      "gmail.com,googlemail.com,outlook.com,hotmail.com,live.com,msn.com,yahoo.com,ymail.com,"
          + "icloud.com,me.com,mac.com,aol.com,proton.me,protonmail.com,gmx.com,gmx.de,gmx.net,"
          + "web.de,mail.com,yandex.com,yandex.ru,zoho.com,fastmail.com,hey.com,qq.com,163.com")
  Set<String> publicMailDomains();

  /** In-process embeddings of subject + body. */
  Embedding embedding();

  /**
   * How long a statement waits for a run's lease row lock (taking the lease, or checking it in the
   * chunk's write transaction) before it fails with 55P03 and is retried: an attempt frozen in the
   * middle of its write transaction holds that lock, and a newer attempt must not wait on it for
   * long.
   */
  @WithDefault("2s")
  Duration leaseLockTimeout();

  /** Retries of transient database failures (lost connection, restart, lock or deadlock). */
  DbRetry dbRetry();

  /**
   * Backoff of database retries (contracts {@code Backoff}, full jitter); an attempt's retries also
   * end at its deadline.
   */
  interface DbRetry {

    /** Ceiling of the wait before the first retry. */
    @WithDefault("200ms")
    Duration initialBackoff();

    /** Ceiling of any one wait. */
    @WithDefault("5s")
    Duration maxBackoff();

    /** Retries after the first try. */
    @WithDefault("10")
    int maxRetries();
  }

  /** How messages are embedded. */
  interface Embedding {

    /**
     * Whether messages are embedded at all. When false no vector is computed or stored (the model
     * is not even loaded) and ChunkExtracted reports 0 embeddings.
     */
    @WithDefault("true")
    boolean enabled();

    /** Characters of subject + body embedded; the model reads about 256 word pieces of them. */
    @WithDefault("1500")
    int maxChars();

    /** Messages per model call: bigger batches are faster, cancellation waits for one batch. */
    @WithDefault("16")
    int batchSize();
  }

  default Duration staleAfter() {
    return heartbeatInterval().multipliedBy(staleAfterIntervals());
  }
}
