package io.backfill.simulator.domain;

import java.util.List;

/**
 * What the generator put into one message, so extraction quality can be measured against it.
 *
 * @param lateEntity name of an entity mentioned only near the end of a long body, else null: a
 *     pipeline that reads only a preview misses it
 */
public record GroundTruth(
    List<Entity> entities, List<Relationship> relationships, String lateEntity) {

  public GroundTruth {
    entities = List.copyOf(entities);
    relationships = List.copyOf(relationships);
  }
}
