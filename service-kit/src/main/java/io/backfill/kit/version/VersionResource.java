package io.backfill.kit.version;

import io.backfill.contracts.version.ServiceVersion;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.info.BuildInfo;
import io.quarkus.info.GitInfo;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;

/**
 * What this process is: service, version and the git commit it was built from, as baked in by
 * quarkus-info at build time, and when the process started. Not the files on disk.
 *
 * <p>The same identity is the gauge {@code backfill_build_info{service, version, build_sha} 1}, so
 * Prometheus can alert when live instances of one service run different builds. Created at start-up
 * so the gauge exists before anyone asks for {@code /version}.
 */
@Path("/version")
@Singleton
@Startup
public class VersionResource {

  private final ServiceVersion version;

  VersionResource(BuildInfo build, Instance<GitInfo> git, MeterRegistry registry) {
    // No GitInfo bean when built outside a git checkout: the SHA is then "unknown".
    String sha = git.isResolvable() ? git.get().latestCommitId() : null;
    this.version =
        new ServiceVersion(
            build.artifact(),
            build.version(),
            sha,
            build.time() == null ? null : build.time().toInstant(),
            ProcessHandle.current().info().startInstant().orElse(Instant.now()));
    Gauge.builder("backfill.build.info", () -> 1)
        .description("1 per process, labelled with the build it runs")
        .tag("service", version.service())
        .tag("version", version.version())
        .tag("build_sha", version.buildSha())
        .strongReference(true)
        .register(registry);
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public ServiceVersion version() {
    return version;
  }
}
