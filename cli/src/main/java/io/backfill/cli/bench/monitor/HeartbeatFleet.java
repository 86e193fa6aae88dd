package io.backfill.cli.bench.monitor;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.Event;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import java.time.Duration;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * N synthetic extract attempts as the workers would report them on {@code run.events} (key: runId):
 * RunStarted, then a heartbeat every interval, each attempt at its own phase so the sends spread
 * evenly over the interval. One thread schedules by due time (late sends are caught up, none
 * skipped) into one batching acks=all producer: 10,000 attempts every 5 s is 2,000 records a
 * second, well within one producer.
 *
 * <p>Attempts start when the driver allows them ({@link #allowStarts}), in an order whose every
 * prefix is spread over the interval, so the driver can pace the ledger's costlier RunStarted
 * inserts. The chosen victims stop heartbeating at their death moment in the steady window; their
 * death time is the send time of their last event.
 */
final class HeartbeatFleet implements AutoCloseable {

  private static final String TENANT = "bench";
  private static final String WORKER = "bench-worker";
  private static final String BUILD_SHA = "bench";

  private final JobId job = JobId.derive(TENANT, java.util.UUID.randomUUID().toString());
  private final int runs;
  private final long intervalNanos;
  private final int[] startOrder;
  private final AtomicIntegerArray started;
  private final AtomicInteger allowedStarts = new AtomicInteger();
  private final RunId[] runIds;
  private final AttemptId[] attempts;
  private final long[] progress;
  private final boolean[] victim;
  private final long[] deathOffsetNanos;
  private final AtomicLongArray lastSentNanos;
  private final AtomicIntegerArray dead;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong heartbeats = new AtomicLong();
  private final AtomicLong sendFailures = new AtomicLong();
  private final AtomicLong died = new AtomicLong();
  private final AtomicInteger startedCount = new AtomicInteger();
  private final KafkaProducer<String, String> producer;
  private final Thread sender;
  private volatile long startNanos;
  private volatile long windowStartNanos;
  private volatile boolean windowOpen;
  private volatile boolean stopping;
  private volatile RuntimeException failure;

  /**
   * @param deathSpan victims die at moments spread uniformly over [0, deathSpan) after the window
   *     opens
   */
  HeartbeatFleet(
      String bootstrapServers,
      int runs,
      Duration interval,
      int dying,
      Duration deathSpan,
      long seed) {
    this.runs = runs;
    this.intervalNanos = interval.toNanos();
    // Start order k → attempt (k × stride) mod runs, stride ≈ 0.618 × runs and coprime to it: any
    // first k attempts to start have phases spread over the whole interval.
    int stride = Math.max(1, (int) Math.round(runs * 0.6180339887));
    while (gcd(stride, runs) != 1) {
      stride++;
    }
    this.startOrder = new int[runs];
    for (int k = 0; k < runs; k++) {
      startOrder[(int) ((long) k * stride % runs)] = k;
    }
    this.started = new AtomicIntegerArray(runs);
    this.runIds = new RunId[runs];
    this.attempts = new AttemptId[runs];
    this.progress = new long[runs];
    this.victim = new boolean[runs];
    this.deathOffsetNanos = new long[runs];
    this.lastSentNanos = new AtomicLongArray(runs);
    this.dead = new AtomicIntegerArray(runs);
    for (int i = 0; i < runs; i++) {
      runIds[i] = RunId.extract(job, i + 1);
      attempts[i] = AttemptId.random();
    }
    Random random = new Random(seed);
    int chosen = 0;
    while (chosen < Math.min(dying, runs)) {
      int i = random.nextInt(runs);
      if (!victim[i]) {
        victim[i] = true;
        deathOffsetNanos[i] = (long) (random.nextDouble() * deathSpan.toNanos());
        chosen++;
      }
    }
    this.producer = new KafkaProducer<>(producerConfig(bootstrapServers));
    this.sender = new Thread(this::play, "monitor-bench-fleet");
    sender.setDaemon(true);
  }

  private static Properties producerConfig(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "monitor-bench-fleet");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // Batched: a few ms of linger groups the ~10 records of each millisecond per partition.
    props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(128 * 1024));
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return props;
  }

  JobId job() {
    return job;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  void start() {
    startNanos = System.nanoTime();
    sender.start();
  }

  /** Lets the first {@code count} attempts of the start order start (at their next due time). */
  void allowStarts(int count) {
    allowedStarts.accumulateAndGet(Math.min(count, runs), Math::max);
  }

  int allowedStarts() {
    return allowedStarts.get();
  }

  /** Whether every attempt has sent its RunStarted. */
  boolean allStarted() {
    return startedCount.get() == runs;
  }

  int startedCount() {
    return startedCount.get();
  }

  /** From now on the victims die at their moments. */
  void openWindow(long nowNanos) {
    windowStartNanos = nowNanos;
    windowOpen = true;
  }

  long sent() {
    return sent.get();
  }

  long heartbeats() {
    return heartbeats.get();
  }

  long sendFailures() {
    return sendFailures.get();
  }

  int died() {
    return (int) died.get();
  }

  int victims() {
    int count = 0;
    for (boolean v : victim) {
      count += v ? 1 : 0;
    }
    return count;
  }

  /** The attempt index of a run of this fleet, or -1. */
  int indexOf(RunId runId) {
    if (!runId.jobId().equals(job)) {
      return -1;
    }
    int index = runId.seq() - 1;
    return index < runs ? index : -1;
  }

  boolean isDead(int index) {
    return dead.get(index) == 1;
  }

  /** The send time (nanoTime) of the attempt's last event. */
  long lastSentNanos(int index) {
    return lastSentNanos.get(index);
  }

  /** Fails when the sender thread failed. */
  void check() {
    if (failure != null) {
      throw failure;
    }
  }

  // Attempt i's events are due at start + round × interval + i × interval / runs; it starts at
  // the first of them once the driver allowed it.
  private void play() {
    try {
      int next = 0;
      long round = 0;
      while (!stopping) {
        long now = System.nanoTime();
        long due = dueNanos(round, next);
        while (due <= now && !stopping) {
          emit(next, now);
          next++;
          if (next == runs) {
            next = 0;
            round++;
          }
          due = dueNanos(round, next);
        }
        LockSupport.parkNanos(Math.min(due - now, TimeUnit.MILLISECONDS.toNanos(5)));
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  private long dueNanos(long round, int index) {
    return startNanos + round * intervalNanos + index * intervalNanos / runs;
  }

  private void emit(int i, long now) {
    if (isDead(i)) {
      return;
    }
    if (started.get(i) == 0) {
      if (startOrder[i] >= allowedStarts.get()) {
        return;
      }
      started.set(i, 1);
      startedCount.incrementAndGet();
      send(
          i,
          RunStarted.of(
              TENANT,
              runIds[i],
              attempts[i],
              WORKER,
              BUILD_SHA,
              TimeUnit.NANOSECONDS.toMillis(intervalNanos),
              new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 0, i)));
      return;
    }
    if (victim[i] && windowOpen && now - windowStartNanos >= deathOffsetNanos[i]) {
      dead.set(i, 1);
      died.incrementAndGet();
      return;
    }
    send(
        i,
        RunHeartbeat.of(
            TENANT,
            runIds[i],
            attempts[i],
            WORKER,
            BUILD_SHA,
            new Progress(++progress[i], null, "llm")));
    heartbeats.incrementAndGet();
  }

  private void send(int i, Event event) {
    lastSentNanos.set(i, System.nanoTime());
    producer.send(
        new ProducerRecord<>(Topics.RUN_EVENTS, runIds[i].value(), EventJson.toJson(event)),
        (metadata, e) -> {
          if (e != null) {
            sendFailures.incrementAndGet();
          }
        });
    sent.incrementAndGet();
  }

  @Override
  public void close() {
    stopping = true;
    try {
      sender.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(10));
  }
}
