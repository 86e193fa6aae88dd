package io.backfill.kit.attempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.retry.Backoff;
import io.backfill.kit.attempt.AttemptLifecycle.OnStop;
import io.backfill.kit.attempt.AttemptLifecycle.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AttemptLifecycleTest {

  private static final Duration INTERVAL = Duration.ofMillis(100);
  // The self-fence tests refuse heartbeats and wait out this bound.
  private static final Duration STALE_AFTER = Duration.ofMillis(300);
  // Every other test: far above any scheduling delay of a loaded machine, so no heartbeat that
  // runs late makes an attempt fence itself in a test about something else.
  private static final Duration STALE_AFTER_UNTESTED = Duration.ofSeconds(30);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakePublisher publisher = new FakePublisher();
  private final ThreadLocalMdc mdc = new ThreadLocalMdc();
  private final AtomicInteger heartbeatFailures = new AtomicInteger();
  private final AtomicInteger publishFailures = new AtomicInteger();
  private final CountDownLatch released = new CountDownLatch(1);
  // Work runs on threads of its own: the common pool has one thread on two cores, where a work
  // still ending from an earlier test would hold up the next test's work.
  private final ExecutorService workThreads = Executors.newCachedThreadPool();
  private AttemptLifecycle lifecycle;

  @AfterEach
  void tearDown() {
    released.countDown();
    workThreads.shutdown();
    if (lifecycle != null) {
      lifecycle.close();
    }
  }

  @Test
  void runStartedIsAcknowledgedBeforeTheWorkRuns() throws Exception {
    lifecycle = lifecycle(OnStop.ASK_THE_WORK, Optional.empty(), 0);
    Attempt attempt = open();
    AtomicReference<List<RunEvent>> seenByWork = new AtomicReference<>();

    assertThat(lifecycle.announce(attempt)).isTrue();
    lifecycle.run(
        attempt,
        a -> {
          seenByWork.set(List.copyOf(publisher.acknowledged));
          return Ending.of(a.runCompleted(null, 3));
        });

    assertThat(seenByWork.get()).hasSize(1).first().isInstanceOf(RunStarted.class);
    RunStarted started = (RunStarted) seenByWork.get().get(0);
    assertThat(started.attemptId()).isEqualTo(attempt.ids().attemptId());
    assertThat(started.heartbeatIntervalMs()).isEqualTo(INTERVAL.toMillis());
    assertThat(started.workerId()).isEqualTo("worker-1");
    assertThat(started.buildSha()).isEqualTo("abc123");
    assertThat(publisher.acknowledged.get(publisher.acknowledged.size() - 1))
        .isInstanceOf(RunCompleted.class);
  }

  @Test
  void noWorkRunsWhenRunStartedIsNotAcknowledgedAfterItsRetries() throws Exception {
    lifecycle = lifecycle(OnStop.END_AT_ONCE, Optional.empty(), 2);
    publisher.refuseEverything();
    Attempt attempt = open();
    AtomicBoolean worked = new AtomicBoolean();

    assertThat(lifecycle.announce(attempt)).isFalse();

    assertThatThrownBy(
            () ->
                lifecycle.run(
                    attempt,
                    a -> {
                      worked.set(true);
                      return Ending.silent();
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(worked).isFalse();
    // The first try and two retries, each counted; nothing reached the broker.
    assertThat(publisher.senders).hasSize(3);
    assertThat(publishFailures).hasValue(3);
    assertThat(publisher.acknowledged).isEmpty();
  }

  @Test
  void anUnacknowledgedRunStartedIsSentAgainUntilTheBrokerTakesIt() throws Exception {
    lifecycle = lifecycle(OnStop.END_AT_ONCE, Optional.empty(), 5);
    AtomicInteger tries = new AtomicInteger();
    publisher.refuse(event -> event instanceof RunStarted && tries.incrementAndGet() <= 2);
    Attempt attempt = open();

    assertThat(lifecycle.announce(attempt)).isTrue();

    assertThat(tries).hasValue(3);
    assertThat(publisher.ofType(RunStarted.class)).hasSize(1);
  }

  @Test
  void heartbeatsAreSentFromAnotherThreadWithTheWorksProgressWhileTheWorkRuns() throws Exception {
    lifecycle = lifecycle(OnStop.ASK_THE_WORK, Optional.empty(), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);
    AtomicReference<Thread> workThread = new AtomicReference<>();

    lifecycle.run(
        attempt,
        a -> {
          workThread.set(Thread.currentThread());
          a.progress(new Progress(7, 10L, "llm"));
          await().atMost(WAIT).until(() -> publisher.ofType(RunHeartbeat.class).size() >= 3);
          return Ending.of(a.runCompleted(null, 10));
        });

    List<RunHeartbeat> beats = publisher.ofType(RunHeartbeat.class);
    assertThat(beats)
        .allSatisfy(b -> assertThat(b.attemptId()).isEqualTo(attempt.ids().attemptId()));
    assertThat(beats.get(beats.size() - 1).progress()).isEqualTo(new Progress(7, 10L, "llm"));
    // Only RunStarted (announced on this same thread) and the final event are sent by the work
    // thread; every heartbeat comes from the scheduler.
    assertThat(publisher.senders.stream().filter(t -> t == workThread.get())).hasSize(2);
  }

  @Test
  void silenceLongerThanStaleAfterStopsTheWorkAndReportsSelfFencedOnce() throws Exception {
    lifecycle = lifecycle(STALE_AFTER, OnStop.END_AT_ONCE, Optional.empty(), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);
    publisher.refuseHeartbeats();
    AtomicBoolean interrupted = new AtomicBoolean();

    lifecycle.run(attempt, a -> blockUntilReleased(a, interrupted));

    assertThat(interrupted).isTrue();
    assertThat(attempt.stopReason()).isEqualTo(StopReason.SELF_FENCED);
    assertThat(heartbeatFailures.get()).isGreaterThanOrEqualTo(1);
    await().atMost(WAIT).until(() -> !publisher.ofType(RunFailed.class).isEmpty());
    // Nothing more: no second failure, no heartbeat of a fenced attempt even once the broker is
    // back, and whatever the work said after the stop is dropped.
    publisher.refuse(event -> false);
    await()
        .pollDelay(STALE_AFTER.multipliedBy(2))
        .atMost(WAIT)
        .until(() -> publisher.acknowledged.size() == 2);
    RunFailed failed = publisher.ofType(RunFailed.class).get(0);
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.error().type()).isEqualTo("SelfFenced");
    assertThat(publisher.acknowledged).containsExactly(publisher.acknowledged.get(0), failed);
  }

  @Test
  void aWorkAskedToStopEndsItselfAndTheSelfFenceIsItsRunFailed() throws Exception {
    lifecycle = lifecycle(STALE_AFTER, OnStop.ASK_THE_WORK, Optional.empty(), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);
    publisher.refuseHeartbeats();

    lifecycle.run(
        attempt,
        a -> {
          while (true) {
            a.await(Duration.ofHours(1));
          }
        });

    assertThat(publisher.ofType(RunFailed.class))
        .singleElement()
        .satisfies(f -> assertThat(f.error().type()).isEqualTo("SelfFenced"));
    assertThat(publisher.acknowledged.get(publisher.acknowledged.size() - 1))
        .isInstanceOf(RunFailed.class);
  }

  @Test
  void aPauseAskedOfTheWorkEndsWithTheLanesStopEventAfterTheWorkFinishedWhatItWasDoing()
      throws Exception {
    lifecycle = lifecycle(OnStop.ASK_THE_WORK, Optional.empty(), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);
    AtomicBoolean finishedPage = new AtomicBoolean();
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () ->
                lifecycle.run(
                    attempt,
                    a -> {
                      try {
                        while (true) {
                          a.await(Duration.ofHours(1));
                        }
                      } catch (AttemptStoppedException stopped) {
                        finishedPage.set(true);
                        return Ending.of(a.runStopped(RunStopped.PAUSED, "paused at page 3"));
                      }
                    }),
            workThreads);
    await().atMost(WAIT).until(() -> publisher.ofType(RunHeartbeat.class).size() >= 1);

    assertThat(attempt.stop(StopReason.PAUSED)).isTrue();
    running.get(10, TimeUnit.SECONDS);

    assertThat(finishedPage).isTrue();
    assertThat(attempt.stop(StopReason.CANCELLED)).isFalse();
    RunStopped stopped = publisher.ofType(RunStopped.class).get(0);
    assertThat(stopped.reason()).isEqualTo("paused");
    assertThat(stopped.detail()).isEqualTo("paused at page 3");
    assertThat(publisher.ofType(RunStopped.class)).hasSize(1);
  }

  @Test
  void aCancelThatEndsAtOnceInterruptsTheWorkAndPublishesTheStopWithoutWaitingForIt()
      throws Exception {
    lifecycle = lifecycle(OnStop.END_AT_ONCE, Optional.empty(), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);
    AtomicBoolean interrupted = new AtomicBoolean();
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () -> lifecycle.run(attempt, a -> blockUntilReleased(a, interrupted)), workThreads);
    await().atMost(WAIT).until(() -> publisher.ofType(RunHeartbeat.class).size() >= 1);

    assertThat(attempt.stop(StopReason.CANCELLED)).isTrue();

    assertThat(publisher.ofType(RunStopped.class))
        .singleElement()
        .satisfies(s -> assertThat(s.reason()).isEqualTo("cancelled"));
    running.get(10, TimeUnit.SECONDS);
    assertThat(interrupted).isTrue();
    // The work returned a completion after its interrupt; the attempt had ended already.
    assertThat(publisher.ofType(RunCompleted.class)).isEmpty();
  }

  @Test
  void aTimedOutAttemptIsFencedAndReportsNothingMore() throws Exception {
    lifecycle = lifecycle(OnStop.END_AT_ONCE, Optional.empty(), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);
    AtomicBoolean interrupted = new AtomicBoolean();
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () -> lifecycle.run(attempt, a -> blockUntilReleased(a, interrupted)), workThreads);
    await().atMost(WAIT).until(() -> publisher.ofType(RunHeartbeat.class).size() >= 1);

    attempt.stop(StopReason.TIMED_OUT);
    running.get(10, TimeUnit.SECONDS);

    int events = publisher.acknowledged.size();
    await()
        .pollDelay(INTERVAL.multipliedBy(3))
        .atMost(WAIT)
        .until(() -> publisher.acknowledged.size() == events);
    assertThat(publisher.acknowledged)
        .noneMatch(
            e -> e instanceof RunFailed || e instanceof RunCompleted || e instanceof RunStopped);
  }

  @Test
  void anAttemptPastItsDeadlineIsStoppedAndFailsRetryable() throws Exception {
    lifecycle = lifecycle(OnStop.END_AT_ONCE, Optional.of(Duration.ofMillis(500)), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);
    AtomicBoolean interrupted = new AtomicBoolean();

    lifecycle.run(attempt, a -> blockUntilReleased(a, interrupted));

    assertThat(interrupted).isTrue();
    assertThat(attempt.stopReason()).isEqualTo(StopReason.DEADLINE);
    await().atMost(WAIT).until(() -> !publisher.ofType(RunFailed.class).isEmpty());
    RunFailed failed = publisher.ofType(RunFailed.class).get(0);
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.error().type()).isEqualTo("DeadlineExceeded");
    Duration took =
        Duration.between(publisher.acknowledged.get(0).occurredAt(), failed.occurredAt());
    assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
  }

  @Test
  void theFinalEventFollowsTheLastHeartbeatAndNoHeartbeatFollowsIt() throws Exception {
    lifecycle = lifecycle(OnStop.ASK_THE_WORK, Optional.empty(), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);

    lifecycle.run(
        attempt,
        a -> {
          await().atMost(WAIT).until(() -> publisher.ofType(RunHeartbeat.class).size() >= 3);
          return Ending.deciding(() -> Optional.of(a.runCompleted(1, 5)));
        });

    await()
        .pollDelay(INTERVAL.multipliedBy(3))
        .atMost(WAIT)
        .until(
            () ->
                publisher.acknowledged.get(publisher.acknowledged.size() - 1)
                    instanceof RunCompleted);
    assertThat(publisher.ofType(RunCompleted.class)).hasSize(1);
    assertThat(publisher.acknowledged.get(0)).isInstanceOf(RunStarted.class);
  }

  @Test
  void aFailureThrownByTheWorkIsReportedAsARetryableRunFailed() throws Exception {
    lifecycle = lifecycle(OnStop.ASK_THE_WORK, Optional.empty(), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);

    lifecycle.run(
        attempt,
        a -> {
          throw new IllegalStateException("database gone");
        });

    RunFailed failed = publisher.ofType(RunFailed.class).get(0);
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.error().message()).isEqualTo("database gone");
  }

  @Test
  void theAttemptsIdsAreInTheMdcDuringTheWorkAndClearedAfter() throws Exception {
    lifecycle = lifecycle(OnStop.ASK_THE_WORK, Optional.empty(), 0);
    Attempt attempt = open();
    lifecycle.announce(attempt);
    AtomicReference<Map<String, String>> duringWork = new AtomicReference<>();

    lifecycle.run(
        attempt,
        a -> {
          duringWork.set(mdc.snapshot());
          return Ending.silent();
        });

    AttemptIds ids = attempt.ids();
    assertThat(duringWork.get())
        .containsEntry("tenantId", ids.tenantId())
        .containsEntry("jobId", ids.jobId().value())
        .containsEntry("runId", ids.runId().value())
        .containsEntry("attemptId", ids.attemptId().wireValue());
    assertThat(mdc.snapshot()).isEmpty();
  }

  private Ending blockUntilReleased(Attempt attempt, AtomicBoolean interrupted) {
    try {
      released.await();
    } catch (InterruptedException e) {
      interrupted.set(true);
    }
    // What a careless lane would say after a stop: the lifecycle must drop it.
    return Ending.of(attempt.runCompleted(null, 1));
  }

  private Attempt open() {
    JobId job = JobId.derive("tenant-a", UUID.randomUUID().toString());
    return lifecycle.open(
        AttemptIds.newAttempt("tenant-a", RunId.extract(job, 1)),
        new io.backfill.contracts.event.ChunkCoordinates("backfill.chunks", 0, 42),
        Progress.starting(),
        StopEndings.STANDARD);
  }

  private AttemptLifecycle lifecycle(OnStop onStop, Optional<Duration> deadline, int retries) {
    return lifecycle(STALE_AFTER_UNTESTED, onStop, deadline, retries);
  }

  private AttemptLifecycle lifecycle(
      Duration staleAfter, OnStop onStop, Optional<Duration> deadline, int retries) {
    Settings settings =
        new Settings(
            "worker-1",
            "abc123",
            INTERVAL,
            staleAfter,
            Duration.ofSeconds(1),
            new Backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10), retries, false, false),
            deadline,
            onStop,
            2,
            "test-attempt-watch");
    AttemptListener listener =
        new AttemptListener() {
          @Override
          public void heartbeat(boolean acknowledged) {
            if (!acknowledged) {
              heartbeatFailures.incrementAndGet();
            }
          }

          @Override
          public void publishFailed(String eventType) {
            publishFailures.incrementAndGet();
          }
        };
    return new AttemptLifecycle(settings, publisher, listener, mdc);
  }

  /** The MDC of a logging framework, as far as the lifecycle can tell. */
  static final class ThreadLocalMdc implements LogContext {
    private final ThreadLocal<Map<String, String>> values = ThreadLocal.withInitial(HashMap::new);

    @Override
    public void put(String key, String value) {
      values.get().put(key, value);
    }

    @Override
    public void remove(String key) {
      values.get().remove(key);
    }

    Map<String, String> snapshot() {
      return Map.copyOf(values.get());
    }
  }
}
