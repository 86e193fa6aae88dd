package io.backfill.monitor.config;

import io.backfill.contracts.id.Lane;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** How the ledger judges attempts, retries runs and relays its decisions (ARCHITECTURE §4). */
@ConfigMapping(prefix = "backfill.monitor")
public interface MonitorConfig {

  /** The reaper: how often it looks, how much it takes per transaction, when it waits. */
  Reaper reaper();

  /** Rules of the {@code fetch} lane (one job's paging loop). */
  FetchLane fetch();

  /** Rules of the {@code extract} lane (one chunk). */
  ExtractLane extract();

  /** Rules of the {@code follow} lane (one delta round of a followed job). */
  FollowLane follow();

  /** The retry policy shared by timeouts and retryable failures. */
  Retry retry();

  /** The outbox relay to Kafka. */
  Relay relay();

  /** Ingest of run.events. */
  Ingest ingest();

  /**
   * How long an active job (not terminal, paused nor cancelled) may have no live attempt before it
   * is re-driven as orphaned. Unset: twice the larger of the fetch and extract stale floors.
   */
  Optional<Duration> orphanGrace();

  /** {@link #orphanGrace()} or its default, 2 × the largest lane staleAfter floor. */
  default Duration orphanGraceOrDefault() {
    Duration larger =
        java.util.stream.Stream.of(fetch(), extract(), follow())
            .map(LaneRules::staleFloor)
            .max(Duration::compareTo)
            .orElseThrow();
    return orphanGrace().orElse(larger.multipliedBy(2));
  }

  default LaneRules lane(Lane lane) {
    return switch (lane) {
      case FETCH -> fetch();
      case EXTRACT -> extract();
      case FOLLOW -> follow();
    };
  }

  /** The reaper's schedule and its guard against judging with stale data. */
  interface Reaper {

    /** Time between the end of one sweep and the start of the next (skip-if-running). */
    @WithDefault("1s")
    Duration tick();

    /** Dead attempts (and due retries) handled per transaction. */
    @WithDefault("500")
    int batchSize();

    /**
     * The reaper waits while the {@code run.events} consumer group lags by more than this many
     * records: unread heartbeats are not missing heartbeats.
     */
    @WithDefault("1000")
    long lagThresholdRecords();

    /**
     * The reaper waits while this instance has unread {@code run.events} records and applied no
     * batch for this long: ingest is stuck, and heartbeats it has not read are not missing. Keep it
     * well below the lanes' stale floors.
     */
    @WithDefault("3s")
    Duration ingestSilence();

    /** How often the attempts-by-state gauge is recounted (a count over the attempts table). */
    @WithDefault("15s")
    Duration statsInterval();
  }

  /** What a lane's attempts are judged by. */
  interface LaneRules {

    /** Lower bound of staleAfter: {@code staleAfter = max(staleFloor, 3 × heartbeatInterval)}. */
    Duration staleFloor();

    /** An attempt running longer than this is timed out, heartbeats or not (and interval 0). */
    Duration hardDeadline();

    /** Heartbeats arrive but progress has not moved for this long → RunStalled. */
    Duration stallAfter();

    /** Whether a stalled attempt is also timed out (and retried). */
    boolean timeoutWhenStalled();
  }

  /** The fetch lane: pages of one mailbox; a Graph page can take a while under throttling. */
  interface FetchLane extends LaneRules {
    @Override
    @WithDefault("60s")
    Duration staleFloor();

    @Override
    @WithDefault("24h")
    Duration hardDeadline();

    @Override
    @WithDefault("15m")
    Duration stallAfter();

    @Override
    @WithDefault("false")
    boolean timeoutWhenStalled();
  }

  /** The extract lane: one chunk of up to 100 messages, LLM calls with their own deadlines. */
  interface ExtractLane extends LaneRules {
    @Override
    @WithDefault("30s")
    Duration staleFloor();

    @Override
    @WithDefault("30m")
    Duration hardDeadline();

    @Override
    @WithDefault("10m")
    Duration stallAfter();

    @Override
    @WithDefault("false")
    boolean timeoutWhenStalled();
  }

  /**
   * The follow lane: one delta round pages Graph like a fetch does, so its defaults are the fetch
   * lane's.
   */
  interface FollowLane extends LaneRules {
    @Override
    @WithDefault("60s")
    Duration staleFloor();

    @Override
    @WithDefault("24h")
    Duration hardDeadline();

    @Override
    @WithDefault("15m")
    Duration stallAfter();

    @Override
    @WithDefault("false")
    boolean timeoutWhenStalled();
  }

  /** Exponential backoff with full jitter: delay = random(0, min(maxDelay, initial × m^(n-1))). */
  interface Retry {

    /** Backoff before the first retry (upper bound when jitter is on). */
    @WithDefault("10s")
    Duration initialDelay();

    /** Growth of the backoff per attempt. */
    @WithDefault("2.0")
    double multiplier();

    /** Largest backoff. */
    @WithDefault("10m")
    Duration maxDelay();

    /** Attempts a run gets in all, the first included; then it is exhausted. */
    @WithDefault("5")
    int maxAttempts();

    /** Full jitter (a random delay up to the backoff) so retries of many runs spread out. */
    @WithDefault("true")
    boolean fullJitter();
  }

  /** The outbox relay. */
  interface Relay {

    /** Pause between relay passes when the outbox was empty. */
    @WithDefault("200ms")
    Duration interval();

    /** Rows published per pass (one transaction). */
    @WithDefault("500")
    int batchSize();

    /** How long a pass waits for Kafka's acknowledgements before it gives up and retries. */
    @WithDefault("30s")
    Duration ackTimeout();
  }

  /** Ingest of run.events: what happens when the database fails. */
  interface Ingest {

    /**
     * Tries of a batch whose transaction failed transiently (connection lost, serialization
     * failure, deadlock, database restarting) before it is given up.
     */
    @WithDefault("6")
    int transientTries();

    /** Wait before the first retry of a batch; doubled per retry. */
    @WithDefault("200ms")
    Duration retryBackoff();

    /** Longest wait between two tries. */
    @WithDefault("5s")
    Duration maxRetryBackoff();
  }
}
