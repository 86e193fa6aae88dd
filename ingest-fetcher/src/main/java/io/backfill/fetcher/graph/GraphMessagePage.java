package io.backfill.fetcher.graph;

import io.backfill.contracts.event.MailMessage;
import java.util.List;

/**
 * One page of a mailbox's messages.
 *
 * @param nextLink Graph's {@code @odata.nextLink}, followed verbatim; null on the last page
 */
public record GraphMessagePage(List<MailMessage> messages, String nextLink) {

  public GraphMessagePage {
    messages = List.copyOf(messages);
  }

  public boolean last() {
    return nextLink == null;
  }
}
