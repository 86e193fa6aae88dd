package io.backfill.worker.attempt;

import io.backfill.worker.config.WorkerConfig;
import io.quarkus.info.GitInfo;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

/** Who runs attempts here: the worker id and the commit this process was built from. */
@Singleton
public class WorkerIdentity {

  private final String workerId;
  private final String buildSha;

  WorkerIdentity(WorkerConfig config, Instance<GitInfo> git) {
    this.workerId =
        config
            .workerId()
            .orElseGet(
                () -> {
                  String host = System.getenv().getOrDefault("HOSTNAME", "");
                  if (host.isBlank()) {
                    try {
                      host = java.net.InetAddress.getLocalHost().getHostName();
                    } catch (java.net.UnknownHostException e) {
                      host = "worker";
                    }
                  }
                  return host + "-" + ProcessHandle.current().pid();
                });
    // The same source as /version: quarkus-info's build-time git data, "unknown" outside git.
    String sha = git.isResolvable() ? git.get().latestCommitId() : null;
    this.buildSha = sha == null || sha.isBlank() ? "unknown" : sha;
  }

  public String workerId() {
    return workerId;
  }

  public String buildSha() {
    return buildSha;
  }
}
