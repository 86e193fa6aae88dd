package io.backfill.fetcher.tenant;

import io.backfill.fetcher.config.ConnectionsConfig;
import io.backfill.fetcher.config.TenantsConfig;
import io.backfill.fetcher.config.VerifiedDomainsConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses to start outside the dev and test profiles with a source that trusts every tenant: the
 * static Graph connection (every tenant on one app and one directory, so any tenant could read that
 * directory's mail) or the {@code any} tenant registry.
 */
@ApplicationScoped
public class DevOnlySourcesGuard {

  private static final List<String> DEV_PROFILES = List.of("dev", "test");

  void check(
      @Observes StartupEvent event,
      ConnectionsConfig connections,
      TenantsConfig tenants,
      VerifiedDomainsConfig domains) {
    check(connections.source(), tenants.source(), domains.enabled(), ConfigUtils.getProfiles());
  }

  /** Throws, naming each offending setting, unless the sources are allowed in {@code profiles}. */
  public static void check(
      ConnectionsConfig.Source connections,
      TenantsConfig.Source tenants,
      boolean domainsChecked,
      List<String> profiles) {
    if (profiles.stream().anyMatch(DEV_PROFILES::contains)) {
      return;
    }
    List<String> problems = new ArrayList<>();
    if (connections == ConnectionsConfig.Source.STATIC) {
      problems.add(
          "backfill.graph.connections.source=static (BACKFILL_GRAPH_CONNECTIONS) puts every"
              + " tenant on one app and directory; use gateway");
    }
    if (tenants == TenantsConfig.Source.ANY) {
      problems.add(
          "backfill.tenants.source=any (BACKFILL_TENANTS_SOURCE) accepts every tenant; use"
              + " gateway");
    }
    if (!domainsChecked) {
      problems.add(
          "backfill.graph.verified-domains.enabled=false lets a tenant name a mailbox outside its"
              + " directory; use true");
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "refusing to start in profile "
              + profiles
              + ": "
              + String.join("; ", problems)
              + " (allowed only in the dev and test profiles)");
    }
  }
}
