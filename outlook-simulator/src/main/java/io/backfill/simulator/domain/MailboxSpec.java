package io.backfill.simulator.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A mailbox to generate: its address, how many messages and from which seed. The same (seed, size)
 * always gives the same mail.
 */
public record MailboxSpec(String address, int size, long seed) {

  public MailboxSpec {
    if (address == null || !address.contains("@")) {
      throw new IllegalArgumentException("mailbox address must be an email address: " + address);
    }
    if (size < 0) {
      throw new IllegalArgumentException("mailbox size must not be negative: " + size);
    }
    address = address.toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code alice@contoso.com=5000;seed=7,bob@fabrikam.com=200}: comma between mailboxes,
   * {@code address=size}, then optional {@code ;seed=N} (default 1).
   */
  public static List<MailboxSpec> parseList(String text) {
    List<MailboxSpec> specs = new ArrayList<>();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        specs.add(parse(item.trim()));
      }
    }
    return specs;
  }

  static MailboxSpec parse(String item) {
    String[] parts = item.split(";");
    int eq = parts[0].indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException("expected address=size in mailbox spec: " + item);
    }
    String address = parts[0].substring(0, eq).trim();
    int size = Integer.parseInt(parts[0].substring(eq + 1).trim());
    long seed = 1;
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv.length == 2 && kv[0].trim().equals("seed")) {
        seed = Long.parseLong(kv[1].trim());
      } else {
        throw new IllegalArgumentException("unknown mailbox option '" + parts[i] + "' in " + item);
      }
    }
    return new MailboxSpec(address, size, seed);
  }
}
