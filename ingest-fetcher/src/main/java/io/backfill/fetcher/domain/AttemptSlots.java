package io.backfill.fetcher.domain;

import io.backfill.contracts.id.JobId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The process's fetch-attempt slots, shared fairly between tenants: an attempt starts when a slot
 * is free and its tenant holds fewer than {@code perTenant} slots, or no other tenant is waiting.
 * So one tenant may use every slot while it is alone, but once another tenant waits, each freed
 * slot goes to a tenant below its share. Jobs that cannot start wait in a bounded queue, served
 * round-robin across tenants (each tenant's own jobs in arrival order). Thread-safe.
 */
final class AttemptSlots {

  /** A job waiting for a slot; {@code from} is the states its claim accepts. */
  record Waiting(JobId jobId, String tenantId, Set<String> from, String why) {}

  /** What {@link #admit} decided. */
  enum Admission {
    /** A slot is taken for the job: start it now (and {@link #release} the slot when it ends). */
    START,
    /** The job waits in the queue. */
    WAITING,
    /** The job was already waiting. */
    ALREADY_WAITING,
    /** The queue is full: the job cannot even wait. */
    QUEUE_FULL
  }

  private final int slots;
  private final int perTenant;
  private final int maxWaiting;
  private int inUse;
  private final Map<String, Integer> inUseByTenant = new HashMap<>();
  // Insertion order is the round-robin order: a tenant served moves to the end.
  private final LinkedHashMap<String, ArrayDeque<Waiting>> waiting = new LinkedHashMap<>();
  private int waitingCount;

  AttemptSlots(int slots, int perTenant, int maxWaiting) {
    if (slots < 1 || perTenant < 1 || maxWaiting < 0) {
      throw new IllegalArgumentException(
          "slots and perTenant must be at least 1, maxWaiting at least 0");
    }
    this.slots = slots;
    this.perTenant = Math.min(perTenant, slots);
    this.maxWaiting = maxWaiting;
  }

  synchronized Admission admit(Waiting job) {
    if (isWaiting(job.jobId())) {
      return Admission.ALREADY_WAITING;
    }
    // A tenant with jobs already waiting queues behind them, so its own jobs keep their order.
    if (!waiting.containsKey(job.tenantId()) && mayStart(job.tenantId())) {
      take(job.tenantId());
      return Admission.START;
    }
    if (waitingCount >= maxWaiting) {
      return Admission.QUEUE_FULL;
    }
    waiting.computeIfAbsent(job.tenantId(), t -> new ArrayDeque<>()).addLast(job);
    waitingCount++;
    return Admission.WAITING;
  }

  /** Frees a slot of the tenant; returns the waiting jobs that now take a slot each, to start. */
  synchronized List<Waiting> release(String tenantId) {
    int held = inUseByTenant.getOrDefault(tenantId, 0);
    if (held <= 0) {
      throw new IllegalStateException("tenant " + tenantId + " holds no slot to release");
    }
    if (held == 1) {
      inUseByTenant.remove(tenantId);
    } else {
      inUseByTenant.put(tenantId, held - 1);
    }
    inUse--;
    List<Waiting> next = new ArrayList<>();
    for (Waiting job = poll(); job != null; job = poll()) {
      next.add(job);
    }
    return next;
  }

  /** Drops the job from the queue (paused or cancelled while waiting); true when it was there. */
  synchronized boolean withdraw(JobId jobId) {
    for (Iterator<ArrayDeque<Waiting>> queues = waiting.values().iterator(); queues.hasNext(); ) {
      ArrayDeque<Waiting> queue = queues.next();
      if (queue.removeIf(w -> w.jobId().equals(jobId))) {
        waitingCount--;
        if (queue.isEmpty()) {
          queues.remove();
        }
        return true;
      }
    }
    return false;
  }

  /** Empties the queue (shutdown); the jobs taken out. */
  synchronized List<Waiting> drain() {
    List<Waiting> all = new ArrayList<>();
    waiting.values().forEach(all::addAll);
    waiting.clear();
    waitingCount = 0;
    return all;
  }

  synchronized int waitingCount() {
    return waitingCount;
  }

  synchronized int inUse(String tenantId) {
    return inUseByTenant.getOrDefault(tenantId, 0);
  }

  /** The next waiting job that may start, its slot taken, or null when none may. */
  private Waiting poll() {
    if (inUse >= slots) {
      return null;
    }
    for (Map.Entry<String, ArrayDeque<Waiting>> entry : waiting.entrySet()) {
      String tenant = entry.getKey();
      if (mayStart(tenant)) {
        ArrayDeque<Waiting> queue = waiting.remove(tenant);
        Waiting job = queue.pollFirst();
        waitingCount--;
        if (!queue.isEmpty()) {
          waiting.put(tenant, queue);
        }
        take(tenant);
        return job;
      }
    }
    return null;
  }

  private boolean mayStart(String tenantId) {
    if (inUse >= slots) {
      return false;
    }
    if (inUse(tenantId) < perTenant) {
      return true;
    }
    // Above its share only while no other tenant waits.
    return waiting.keySet().stream().allMatch(tenantId::equals);
  }

  private void take(String tenantId) {
    inUse++;
    inUseByTenant.merge(tenantId, 1, Integer::sum);
  }

  private boolean isWaiting(JobId jobId) {
    return waiting.values().stream()
        .anyMatch(queue -> queue.stream().anyMatch(w -> w.jobId().equals(jobId)));
  }
}
