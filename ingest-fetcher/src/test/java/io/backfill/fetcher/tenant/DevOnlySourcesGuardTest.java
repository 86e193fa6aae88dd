package io.backfill.fetcher.tenant;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backfill.fetcher.config.ConnectionsConfig;
import io.backfill.fetcher.config.TenantsConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevOnlySourcesGuardTest {

  @Test
  void staticConnectionsInProductionRefuseToStartNamingTheSetting() {
    assertThatThrownBy(
            () ->
                DevOnlySourcesGuard.check(
                    ConnectionsConfig.Source.STATIC,
                    TenantsConfig.Source.GATEWAY,
                    true,
                    List.of("prod")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("backfill.graph.connections.source=static")
        .hasMessageNotContaining("backfill.tenants.source");
  }

  @Test
  void anyTenantRegistryInProductionRefusesToStartNamingTheSetting() {
    assertThatThrownBy(
            () ->
                DevOnlySourcesGuard.check(
                    ConnectionsConfig.Source.GATEWAY,
                    TenantsConfig.Source.ANY,
                    true,
                    List.of("prod")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("backfill.tenants.source=any");
  }

  @Test
  void uncheckedMailboxDomainsInProductionRefuseToStartNamingTheSetting() {
    assertThatThrownBy(
            () ->
                DevOnlySourcesGuard.check(
                    ConnectionsConfig.Source.GATEWAY,
                    TenantsConfig.Source.GATEWAY,
                    false,
                    List.of("prod")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("backfill.graph.verified-domains.enabled=false");
  }

  @Test
  void gatewaySourcesStartInProduction() {
    assertThatCode(
            () ->
                DevOnlySourcesGuard.check(
                    ConnectionsConfig.Source.GATEWAY,
                    TenantsConfig.Source.GATEWAY,
                    true,
                    List.of("prod")))
        .doesNotThrowAnyException();
  }

  @Test
  void devAndTestProfilesMayTrustEveryTenant() {
    // Static connections, any tenant and unchecked domains: what local use with the simulator
    // needs.
    for (String profile : List.of("dev", "test")) {
      assertThatCode(
              () ->
                  DevOnlySourcesGuard.check(
                      ConnectionsConfig.Source.STATIC,
                      TenantsConfig.Source.ANY,
                      false,
                      List.of(profile)))
          .doesNotThrowAnyException();
    }
  }
}
