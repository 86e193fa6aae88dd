package io.backfill.cli;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Default values of options taken from environment variables, e.g. the bootstrap servers. */
final class EnvironmentDefaults implements IDefaultValueProvider {

  /** Option name → the environment variable that supplies it when the option is not given. */
  static final Map<String, String> VARIABLES =
      Map.of(
          "--bootstrap-servers", "BACKFILL_BOOTSTRAP_SERVERS",
          "--gateway", "BACKFILL_GATEWAY",
          "--api-key", "BACKFILL_API_KEY",
          "--admin-token", "BACKFILL_ADMIN_TOKEN");

  private final Map<String, String> env;

  EnvironmentDefaults(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec option)) {
      return null;
    }
    String variable = VARIABLES.get(option.longestName());
    if (variable == null) {
      return null;
    }
    String value = env.get(variable);
    // A variable that is set but empty counts as unset, as in most shells' scripts.
    return value == null || value.isBlank() ? null : value.strip();
  }
}
