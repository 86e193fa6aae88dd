package io.backfill.simulator.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A mailbox to generate: its address, how many messages and from which seed. The same (seed, size)
 * always gives the same mail.
 *
 * @param tenant the tenant directory whose tokens may read it; null lets every tenant read it
 */
public record MailboxSpec(String address, int size, long seed, String tenant) {

  public MailboxSpec(String address, int size, long seed) {
    this(address, size, seed, null);
  }

  /** Whether a token of this tenant may read the mailbox. */
  public boolean readableBy(String reader) {
    return tenant == null || tenant.equals(reader);
  }

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
   * {@code address=size}, then optional {@code ;seed=N} (default 1) and {@code ;tenant=id} (only
   * that tenant's tokens may read it; default any).
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
    String tenant = null;
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv.length == 2 && kv[0].trim().equals("seed")) {
        seed = Long.parseLong(kv[1].trim());
      } else if (kv.length == 2 && kv[0].trim().equals("tenant")) {
        tenant = kv[1].trim();
      } else {
        throw new IllegalArgumentException("unknown mailbox option '" + parts[i] + "' in " + item);
      }
    }
    return new MailboxSpec(address, size, seed, tenant);
  }
}
