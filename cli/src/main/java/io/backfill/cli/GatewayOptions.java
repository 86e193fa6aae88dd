package io.backfill.cli;

import io.backfill.cli.gateway.GatewayClient;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Where the gateway is and how long to wait for it: shared by every command that calls it. */
final class GatewayOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--gateway",
      paramLabel = "URL",
      description =
          "The gateway's base URL, e.g. http://127.0.0.1:8080. Default: $BACKFILL_GATEWAY.")
  String gateway;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Give up on a call that is not answered within this. Default: 30s.")
  Duration timeout;

  /** A client of the gateway with {@code token}, after checking the options. */
  GatewayClient client(String token) {
    if (timeout.isZero() || timeout.isNegative()) {
      throw invalid("--timeout must be more than zero, was " + DurationConverter.format(timeout));
    }
    return new GatewayClient(baseUrl(), token, timeout);
  }

  private URI baseUrl() {
    if (gateway == null || gateway.isBlank()) {
      throw invalid("--gateway is required (or set BACKFILL_GATEWAY)");
    }
    String text = gateway.strip();
    try {
      URI uri = new URI(text.endsWith("/") ? text : text + "/");
      boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (!web || uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
        throw invalid("--gateway: '" + gateway + "' is not an http(s)://HOST[:PORT] URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw invalid("--gateway: '" + gateway + "' is not a URL (" + e.getReason() + ")");
    }
  }

  private ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** A tenant's API key, for the tenant's own jobs and secrets. */
  static final class ApiKey {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(
        names = "--api-key",
        paramLabel = "KEY",
        description =
            "The tenant's API key (bfk_…). Default: $BACKFILL_API_KEY, which keeps it out of"
                + " the process list.")
    String apiKey;

    String require() {
      if (apiKey == null || apiKey.isBlank()) {
        throw new ParameterException(
            spec.commandLine(), "--api-key is required (or set BACKFILL_API_KEY)");
      }
      return apiKey.strip();
    }
  }

  /** The operator's admin token, for tenants, lag and the fleet. */
  static final class AdminToken {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(
        names = "--admin-token",
        paramLabel = "TOKEN",
        description = "The gateway's admin token. Default: $BACKFILL_ADMIN_TOKEN.")
    String adminToken;

    String require() {
      if (adminToken == null || adminToken.isBlank()) {
        throw new ParameterException(
            spec.commandLine(), "--admin-token is required (or set BACKFILL_ADMIN_TOKEN)");
      }
      return adminToken.strip();
    }
  }
}
