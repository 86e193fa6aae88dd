package io.backfill.gateway.ops;

import io.backfill.contracts.version.ServiceVersion;
import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.persistence.FleetInstance;
import io.backfill.gateway.persistence.FleetStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every instance seen (executors from run.events, and this gateway itself) with the build it runs
 * and when it was last seen. A service whose live instances run more than one build is flagged
 * (LESSONS 7).
 */
@ApplicationScoped
public class Fleet {

  /** One instance. {@code live} = seen within the live window. */
  public record Instance(
      String instanceId, String service, String buildSha, Instant lastSeen, boolean live) {}

  /** One service: its live builds and whether they differ. */
  public record Service(String service, Set<String> liveBuildShas, boolean mixedVersions) {}

  /** The whole fleet. */
  public record View(
      boolean mixedVersions, List<Service> services, List<Instance> instances, Instant asOf) {}

  private final Duration liveWindow;
  private final FleetStore store;

  Fleet(GatewayConfig config, FleetStore store) {
    this.liveWindow = config.ops().liveWindow();
    this.store = store;
  }

  @Transactional
  public View view(ServiceVersion self) {
    Instant now = Instant.now();
    List<Instance> instances = new ArrayList<>();
    instances.add(
        new Instance(
            "api-gateway@" + ProcessHandle.current().pid(),
            self.service(),
            self.buildSha(),
            now,
            true));
    for (FleetInstance seen : store.instances()) {
      boolean live = !seen.lastSeen.isBefore(now.minus(liveWindow));
      instances.add(
          new Instance(seen.instanceId, seen.service, seen.buildSha, seen.lastSeen, live));
    }
    Map<String, Set<String>> liveShas = new TreeMap<>();
    for (Instance instance : instances) {
      Set<String> shas = liveShas.computeIfAbsent(instance.service(), s -> new TreeSet<>());
      if (instance.live()) {
        shas.add(instance.buildSha());
      }
    }
    List<Service> services = new ArrayList<>();
    liveShas.forEach((service, shas) -> services.add(new Service(service, shas, shas.size() > 1)));
    return new View(services.stream().anyMatch(Service::mixedVersions), services, instances, now);
  }
}
