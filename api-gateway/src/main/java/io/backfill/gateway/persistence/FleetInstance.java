package io.backfill.gateway.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An executor instance seen in run.events (table {@code fleet_instances}); read only here. */
@Entity
@Table(name = "fleet_instances")
public class FleetInstance extends PanacheEntityBase {

  @Id
  @Column(name = "instance_id")
  public String instanceId;

  @Column(name = "service")
  public String service;

  @Column(name = "build_sha")
  public String buildSha;

  @Column(name = "first_seen")
  public Instant firstSeen;

  @Column(name = "last_seen")
  public Instant lastSeen;
}
