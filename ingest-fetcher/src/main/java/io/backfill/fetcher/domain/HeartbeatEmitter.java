package io.backfill.fetcher.domain;

import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.messaging.RunEventsPublisher;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Sends RunHeartbeat for every running fetch attempt from its own scheduler thread, never the work
 * thread, so heartbeats go on while an attempt waits on Graph or sleeps in a backoff (LESSONS 4,
 * 11). A failed send is logged with the attempt's ids and counted (LESSONS 2); an attempt that
 * could not send for {@code self-fence-after-intervals} intervals stops itself.
 */
@ApplicationScoped
public class HeartbeatEmitter {

  private static final Logger LOG = Logger.getLogger(HeartbeatEmitter.class);

  private final RunEventsPublisher runEvents;
  private final FetchMetrics metrics;
  private final Duration interval;
  private final Duration selfFenceAfter;
  private final WorkerIdentity worker;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "fetch-heartbeats");
            thread.setDaemon(true);
            return thread;
          });

  HeartbeatEmitter(
      RunEventsPublisher runEvents,
      FetchMetrics metrics,
      FetcherConfig config,
      WorkerIdentity worker) {
    this.runEvents = runEvents;
    this.metrics = metrics;
    this.interval = config.heartbeatInterval();
    this.selfFenceAfter = config.heartbeatInterval().multipliedBy(config.selfFenceAfterIntervals());
    this.worker = worker;
  }

  public Duration interval() {
    return interval;
  }

  /**
   * Starts the attempt's heartbeats. Closing the handle stops them for good: once {@code close()}
   * returns no heartbeat of the attempt is sent any more, so none follows its final event.
   */
  public Handle start(FetchAttempt attempt) {
    Beats beats = new Beats(attempt);
    beats.task =
        scheduler.scheduleAtFixedRate(
            beats::beat, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return beats;
  }

  /** One attempt's schedule; {@code beat} and {@code close} exclude each other. */
  private final class Beats implements Handle {

    private final FetchAttempt attempt;
    // RunStarted was acknowledged just now: that is the last proof of life the ledger has.
    private final AtomicLong lastAcked = new AtomicLong(System.nanoTime());
    private ScheduledFuture<?> task;
    private boolean closed;

    Beats(FetchAttempt attempt) {
      this.attempt = attempt;
    }

    synchronized void beat() {
      if (closed) {
        return;
      }
      try {
        long silentNanos = System.nanoTime() - lastAcked.get();
        if (silentNanos > selfFenceAfter.toNanos()) {
          LOG.errorf(
              "no heartbeat acknowledged for %d ms (%s): the attempt stops itself",
              TimeUnit.NANOSECONDS.toMillis(silentNanos), attempt.describe());
          attempt.stop(StopReason.SELF_FENCED);
        }
        RunHeartbeat heartbeat =
            RunHeartbeat.of(
                attempt.tenantId(),
                attempt.runId(),
                attempt.attemptId(),
                worker.workerId(),
                worker.buildSha(),
                attempt.progress());
        // Subscribing hands the record to the producer now, so it is ordered before anything the
        // work thread publishes after close().
        runEvents
            .send(heartbeat)
            .subscribe()
            .with(
                ok -> {
                  lastAcked.set(System.nanoTime());
                  metrics.heartbeat(true);
                },
                failure -> failed(attempt, failure));
      } catch (RuntimeException e) {
        // An exception escaping here would cancel this attempt's schedule for good.
        failed(attempt, e);
      }
    }

    @Override
    public synchronized void close() {
      closed = true;
      task.cancel(false);
    }
  }

  private void failed(FetchAttempt attempt, Throwable failure) {
    metrics.heartbeat(false);
    LOG.warnf("heartbeat of %s could not be sent: %s", attempt.describe(), failure.getMessage());
  }

  @PreDestroy
  void stop() {
    scheduler.shutdownNow();
  }

  /** An attempt's running heartbeats. */
  public interface Handle extends AutoCloseable {
    @Override
    void close();
  }
}
