package io.backfill.fetcher.domain;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.fetcher.config.FetcherConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether a well-formed request can become a job. The event's own constructor already
 * guarantees its fields are present; this checks what only the fetcher knows makes sense.
 */
@ApplicationScoped
public class RequestValidator {

  // Deliberately loose: Graph is the authority on which mailboxes exist; this only catches input
  // that cannot possibly name one (e.g. "bob").
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+");
  private static final Pattern GUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final Duration maxWindow;

  RequestValidator(FetcherConfig config) {
    this.maxWindow = config.maxWindow();
  }

  /** Why the request cannot become a job, naming the field; empty when it can. */
  public Optional<String> problemWith(BackfillRequested request) {
    String mailbox = request.mailbox();
    if (!EMAIL.matcher(mailbox).matches() && !GUID.matcher(mailbox).matches()) {
      return Optional.of(
          "mailbox '" + mailbox + "' is neither an email address nor a user id (GUID)");
    }
    if (!request.from().isBefore(request.to())) {
      return Optional.of(
          "window from "
              + request.from()
              + " is not before to "
              + request.to()
              + ": 'from' must be earlier than 'to'");
    }
    Duration window = Duration.between(request.from(), request.to());
    if (window.compareTo(maxWindow) > 0) {
      return Optional.of(
          "window from "
              + request.from()
              + " to "
              + request.to()
              + " spans "
              + window.toDays()
              + " days, more than the maximum of "
              + maxWindow.toDays()
              + " days (backfill.fetcher.max-window)");
    }
    return Optional.empty();
  }
}
