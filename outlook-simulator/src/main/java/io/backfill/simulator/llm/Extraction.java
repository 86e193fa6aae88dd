package io.backfill.simulator.llm;

import io.backfill.simulator.domain.Entity;
import io.backfill.simulator.domain.Relationship;
import java.util.List;

/** What the simulated model "extracted" from a prompt, before it is shaped to a schema. */
public record Extraction(List<Entity> entities, List<Relationship> relationships) {

  public Extraction {
    entities = List.copyOf(entities);
    relationships = List.copyOf(relationships);
  }
}
