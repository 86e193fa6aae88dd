package io.backfill.kit.attempt;

import io.backfill.contracts.event.Event;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunHeartbeat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A broker stand-in for the lifecycle's own interface: keeps what it acknowledged, in order. */
final class FakePublisher implements AttemptPublisher {

  /** Events the "broker" acknowledged, in the order they were handed over. */
  final List<RunEvent> acknowledged = new CopyOnWriteArrayList<>();

  /** Threads that handed events over, in the same order as every send. */
  final List<Thread> senders = new CopyOnWriteArrayList<>();

  private volatile Predicate<Event> refused = event -> false;

  void refuse(Predicate<Event> which) {
    this.refused = which;
  }

  void refuseEverything() {
    refuse(event -> true);
  }

  void refuseHeartbeats() {
    refuse(event -> event instanceof RunHeartbeat);
  }

  @Override
  public CompletionStage<Void> send(String topic, String key, Event event) {
    senders.add(Thread.currentThread());
    if (!(event instanceof RunEvent run) || !run.key().equals(key) || !topic.equals("run.events")) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("not a run event"));
    }
    if (refused.test(event)) {
      return CompletableFuture.failedFuture(new IllegalStateException("broker unreachable"));
    }
    acknowledged.add(run);
    return CompletableFuture.completedFuture(null);
  }

  <T extends RunEvent> List<T> ofType(Class<T> type) {
    return acknowledged.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
