package io.backfill.worker.support;

import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Mail for tests. */
public final class Mail {

  private static final Instant RECEIVED = Instant.parse("2024-03-01T09:00:00Z");

  private Mail() {}

  /** {@code count} simple messages from one colleague to another, with unique ids. */
  public static List<MailMessage> messages(int count) {
    String prefix = UUID.randomUUID().toString().substring(0, 8);
    List<MailMessage> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      messages.add(
          new MailMessage(
              "AAMk-" + prefix + "-" + i,
              "<" + prefix + "." + i + "@contoso.com>",
              "conv-" + prefix,
              "Status " + i,
              RECEIVED.plus(i, ChronoUnit.MINUTES),
              null,
              new Recipient("Ann Lee", "ann@contoso.com"),
              List.of(new Recipient("Bob Roe", "bob@fabrikam.com")),
              List.of(),
              "Body " + i,
              false));
    }
    return messages;
  }
}
