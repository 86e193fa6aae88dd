package io.backfill.contracts.event;

/**
 * What a chunk changed in the tenant's memory: messages new to it, messages whose content changed,
 * messages seen again unchanged (no new extraction), and documents removed (deletions, moves out of
 * a folder and sweeps).
 */
public record ChangeCounts(int created, int updated, int unchanged, int deleted) {

  public static final ChangeCounts NONE = new ChangeCounts(0, 0, 0, 0);

  public ChangeCounts {
    Require.notNegative(created, "created");
    Require.notNegative(updated, "updated");
    Require.notNegative(unchanged, "unchanged");
    Require.notNegative(deleted, "deleted");
  }
}
