package io.backfill.kit.identity;

import io.quarkus.info.GitInfo;
import jakarta.enterprise.inject.Instance;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who runs attempts in this process: the worker id every run event carries, and the commit this
 * process was built from (the same source as {@code /version}: quarkus-info's build-time git data,
 * "unknown" when built outside a git checkout). A service produces it from its own config.
 */
public final class WorkerIdentity {

  private final String workerId;
  private final String buildSha;

  public WorkerIdentity(String workerId, String buildSha) {
    this.workerId = workerId;
    this.buildSha = buildSha;
  }

  /** The configured worker id, else the service's default one; the build SHA from git info. */
  public static WorkerIdentity of(
      Optional<String> configuredId, Supplier<String> defaultId, Instance<GitInfo> git) {
    String sha = git.isResolvable() ? git.get().latestCommitId() : null;
    return new WorkerIdentity(
        configuredId.orElseGet(defaultId), sha == null || sha.isBlank() ? "unknown" : sha);
  }

  /**
   * This host's name: {@code HOSTNAME} (the pod's name), else the resolver's, else {@code
   * fallback}.
   */
  public static String hostName(String fallback) {
    String host = System.getenv().getOrDefault("HOSTNAME", "");
    if (!host.isBlank()) {
      return host;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return fallback;
    }
  }

  /** This process's id. */
  public static long pid() {
    return ProcessHandle.current().pid();
  }

  public String workerId() {
    return workerId;
  }

  public String buildSha() {
    return buildSha;
  }
}
