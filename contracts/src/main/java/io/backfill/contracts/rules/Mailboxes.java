package io.backfill.contracts.rules;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What may name a mailbox in a backfill request: a user principal name (an address) or a Graph user
 * id (a GUID). The gateway answers 400 and the fetcher rejects the job by this one rule, so a
 * request posted to the topic is judged exactly as one sent over REST.
 */
public final class Mailboxes {

  /** RFC 5321's longest address. */
  public static final int MAX_CHARS = 254;

  /** A user principal name: ASCII, as Entra ID allows in UPNs. */
  public static final Pattern ADDRESS =
      Pattern.compile("[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");

  /** A Graph user id. */
  public static final Pattern GUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Mailboxes() {}

  /** True when {@code mailbox} is a Graph user id rather than an address. */
  public static boolean isUserId(String mailbox) {
    return mailbox != null && GUID.matcher(mailbox).matches();
  }

  /** Why {@code mailbox} cannot name a mailbox; empty when it can. */
  public static Optional<String> problemWith(String mailbox) {
    if (mailbox == null || mailbox.isBlank()) {
      return Optional.of("mailbox is required");
    }
    if (mailbox.length() > MAX_CHARS) {
      return Optional.of(
          "mailbox is "
              + mailbox.length()
              + " characters, more than the "
              + MAX_CHARS
              + " allowed");
    }
    if (!ADDRESS.matcher(mailbox).matches() && !isUserId(mailbox)) {
      return Optional.of(
          "mailbox '" + mailbox + "' is neither an email address nor a user id (GUID)");
    }
    return Optional.empty();
  }
}
