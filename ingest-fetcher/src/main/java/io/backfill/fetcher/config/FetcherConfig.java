package io.backfill.fetcher.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** How the fetcher takes backfill requests and runs the fetch lane. */
@ConfigMapping(prefix = "backfill.fetcher")
public interface FetcherConfig {

  /**
   * How long intake waits for the broker to acknowledge a job event before it gives up on the
   * record (which then goes to the dead-letter topic). Every outbound call has a timeout.
   */
  @WithDefault("30s")
  Duration publishTimeout();

  /**
   * How often a running fetch attempt heartbeats; declared in RunStarted, so the ledger judges
   * staleness from it (ARCHITECTURE §4).
   */
  @WithDefault("5s")
  Duration heartbeatInterval();

  /**
   * An attempt that could not send a heartbeat for this many intervals cancels itself
   * (self-fencing) rather than run on as a zombie: the ledger's stale threshold is 3 × interval.
   */
  @WithDefault("3")
  int selfFenceAfterIntervals();

  /** Fetch attempts this process runs at once; more wait, pending in the database, for a slot. */
  @WithDefault("8")
  int maxConcurrentAttempts();

  /**
   * Most attempt slots one tenant holds while another tenant waits for one, so a tenant that
   * submits many jobs cannot starve the others; alone, a tenant may use every slot. Half of {@code
   * max-concurrent-attempts} (at least 1) when unset.
   */
  Optional<Integer> maxAttemptsPerTenant();

  /**
   * How often an idle attempt slot looks in the database for queued jobs it did not hear of (queued
   * by another instance, or left by one that died). Jobs this process queues wake a slot at once.
   */
  @WithDefault("2s")
  Duration queuePollInterval();

  /**
   * An attempt whose liveness was not renewed in the database for this long is dead: a Resume or
   * RetryDue may take its job over, and a job it had claimed but not started is claimed again. 3 ×
   * {@code heartbeat-interval} (the ledger's stale threshold) when unset.
   */
  Optional<Duration> attemptDeadAfter();

  /**
   * Start the fetch run of a job as soon as it is accepted. Off for an intake-only instance (and in
   * tests of intake alone); such jobs stay pending until a Resume.
   */
  @WithDefault("true")
  boolean startAcceptedJobs();

  /**
   * Retries of a record's handling (intake, command, run control) after a transient failure — a
   * dropped database connection, a serialization failure or deadlock, the gateway not answering —
   * before the record goes to its dead-letter topic.
   */
  @WithDefault("3")
  int transientRetries();

  /** Ceiling of the wait before the first such retry; doubles for each next one (full jitter). */
  @WithDefault("500ms")
  Duration transientBackoff();

  /** This process's name in run events; the host name when unset. */
  Optional<String> workerId();

  /** Following mailboxes after their history (decision 0037). */
  Follow follow();

  /** {@code backfill.fetcher.follow.*}. */
  interface Follow {

    /** Seconds between a followed job's delta rounds when its request names none. */
    @WithDefault("300")
    int intervalSeconds();

    /** Each wait is the interval times a random factor in [1 - jitter, 1 + jitter]. */
    @WithDefault("0.1")
    double jitter();

    /** How often an idle round slot looks for due rounds in the database. */
    @WithDefault("1s")
    Duration pollInterval();

    /** Delta rounds this process runs at once. */
    @WithDefault("4")
    int maxConcurrentRounds();

    /** A following job with no round completed for this many intervals is overdue. */
    @WithDefault("3")
    int overdueAfterIntervals();
  }
}
