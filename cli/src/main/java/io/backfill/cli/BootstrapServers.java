package io.backfill.cli;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** Checks a Kafka bootstrap list before any client sees it, so a typo is bad input, not a hang. */
final class BootstrapServers {

  /** {@code host:port} or {@code [ipv6]:port}. */
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^\\s:,\\[\\]/]+):(\\d{1,5})");

  private BootstrapServers() {}

  /**
   * The list with blanks around entries removed.
   *
   * @throws IllegalArgumentException naming the first entry that is not {@code host:port}
   */
  static String check(String servers) {
    List<String> entries = Arrays.stream(servers.split(",", -1)).map(String::strip).toList();
    for (String entry : entries) {
      var matcher = HOST_PORT.matcher(entry);
      if (!matcher.matches()) {
        throw new IllegalArgumentException(
            "--bootstrap-servers: '" + entry + "' is not HOST:PORT (in '" + servers + "')");
      }
      int port = Integer.parseInt(matcher.group(2));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "--bootstrap-servers: port " + port + " of '" + entry + "' is not 1-65535");
      }
    }
    return String.join(",", entries);
  }
}
