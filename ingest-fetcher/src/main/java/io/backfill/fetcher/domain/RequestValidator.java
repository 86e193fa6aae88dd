package io.backfill.fetcher.domain;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.rules.Mailboxes;
import io.backfill.contracts.rules.Windows;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Decides whether a well-formed request can become a job, by the contracts' rules for a mailbox and
 * a window: the gateway answers 400 by the same rules, so a request posted to the topic is judged
 * exactly as one sent over REST. The event's own constructor already guarantees its fields are
 * present.
 */
@ApplicationScoped
public class RequestValidator {

  /** Why the request cannot become a job, naming the field; empty when it can. */
  public Optional<String> problemWith(BackfillRequested request) {
    return Mailboxes.problemWith(request.mailbox())
        .or(() -> Windows.problemWith(request.from(), request.to()));
  }
}
