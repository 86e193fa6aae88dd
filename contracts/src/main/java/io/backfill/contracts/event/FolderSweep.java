package io.backfill.contracts.event;

/**
 * The end of a fresh (non-incremental) delta round of one folder: every message of {@code folderId}
 * that the round listed is in a chunk of this job with seq {@code sinceSeq} up to and including the
 * chunk that carries this sweep. A document of that folder last seen in a chunk before {@code
 * sinceSeq} is no longer in the folder and is removed, once every chunk of that range is committed.
 */
public record FolderSweep(String folderId, int sinceSeq) {

  public FolderSweep {
    Require.text(folderId, "folderId");
    Require.positive(sinceSeq, "sinceSeq");
  }
}
