package io.backfill.monitor.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the {@code job.events} consumer has read what its partitions held when they were
 * assigned: until then a job may look active only because its JobPaused or JobCancelled is still
 * unread (a restart after downtime), so the orphan check waits.
 */
@ApplicationScoped
public class JobEventsCatchUp {

  /** End offset per assigned partition at assignment time: what must be processed first. */
  private final Map<Integer, Long> targets = new ConcurrentHashMap<>();

  /** Next offset to process per assigned partition. */
  private final Map<Integer, Long> nextOffsets = new ConcurrentHashMap<>();

  private volatile boolean assigned;

  /** Called on the consumer's thread when partitions are assigned. */
  public void assigned(Map<Integer, Long> positions, Map<Integer, Long> endOffsets) {
    nextOffsets.putAll(positions);
    targets.putAll(endOffsets);
    assigned = true;
  }

  /** Called on the consumer's thread when partitions are revoked or lost. */
  public void revoked(Collection<Integer> partitions) {
    partitions.forEach(
        partition -> {
          targets.remove(partition);
          nextOffsets.remove(partition);
        });
  }

  /** Called after a job.events record was handled (applied, ignored or dead-lettered). */
  public void processed(int partition, long offset) {
    nextOffsets.merge(partition, offset + 1, Math::max);
  }

  /** Why the orphan check must wait, or null when it need not. */
  public String behind() {
    if (!assigned) {
      return "job.events partitions not assigned yet";
    }
    for (Map.Entry<Integer, Long> target : targets.entrySet()) {
      long next = nextOffsets.getOrDefault(target.getKey(), 0L);
      if (next < target.getValue()) {
        return "job.events partition "
            + target.getKey()
            + " at offset "
            + next
            + " of "
            + target.getValue()
            + " present at assignment";
      }
      targets.remove(target.getKey(), target.getValue());
    }
    return null;
  }
}
