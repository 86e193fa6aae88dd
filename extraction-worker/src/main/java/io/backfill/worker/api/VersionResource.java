package io.backfill.worker.api;

import io.backfill.contracts.version.ServiceVersion;
import io.quarkus.info.BuildInfo;
import io.quarkus.info.GitInfo;
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
 */
@Path("/version")
@Singleton
public class VersionResource {

  private final ServiceVersion version;

  VersionResource(BuildInfo build, Instance<GitInfo> git) {
    // No GitInfo bean when built outside a git checkout: the SHA is then "unknown".
    String sha = git.isResolvable() ? git.get().latestCommitId() : null;
    this.version =
        new ServiceVersion(
            build.artifact(),
            build.version(),
            sha,
            build.time() == null ? null : build.time().toInstant(),
            ProcessHandle.current().info().startInstant().orElse(Instant.now()));
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public ServiceVersion version() {
    return version;
  }
}
