package io.backfill.fetcher.domain;

import io.backfill.fetcher.config.FetcherConfig;
import io.quarkus.info.GitInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Who runs fetch attempts: the worker id and the build SHA every run event carries. */
@ApplicationScoped
public class WorkerIdentity {

  private final String workerId;
  private final String buildSha;

  WorkerIdentity(FetcherConfig config, Instance<GitInfo> git) {
    this.workerId =
        config
            .workerId()
            .orElseGet(() -> "ingest-fetcher@" + host() + "#" + ProcessHandle.current().pid());
    // No GitInfo bean when built outside a git checkout.
    String sha = git.isResolvable() ? git.get().latestCommitId() : null;
    this.buildSha = sha == null || sha.isBlank() ? "unknown" : sha;
  }

  public String workerId() {
    return workerId;
  }

  public String buildSha() {
    return buildSha;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }
}
