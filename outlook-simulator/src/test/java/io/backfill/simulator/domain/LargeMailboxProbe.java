package io.backfill.simulator.domain;

import io.backfill.simulator.graph.MessagePager;
import io.backfill.simulator.graph.MessageQuery;
import io.backfill.simulator.graph.SkipToken;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Run in a child JVM with a small heap by {@link FlatMemoryTest}: builds a registry with one
 * mailbox of {@value #SIZE} messages, pages through a two-day window of it (pages of 100: a page's
 * bodies are held while it is served, up to 40 KB each) and looks messages up by id. Exits 0 when
 * every check holds; a heap that grew with the mail would end it with an OutOfMemoryError.
 */
public final class LargeMailboxProbe {

  static final int SIZE = 200_000;

  private LargeMailboxProbe() {}

  public static void main(String[] args) {
    MailboxRegistry registry =
        new MailboxRegistry(
            Instant.parse("2026-01-01T00:00:00Z"),
            365,
            null,
            List.of(new MailboxSpec("big@contoso.com", SIZE, 7)));
    Mailbox box = registry.find("big@contoso.com").orElseThrow();
    MessageList messages = box.snapshot();
    check(messages.size() == SIZE, "size " + messages.size());
    MessageQuery query =
        MessageQuery.parse(
            Map.of(
                "$top", "100",
                "$orderby", "receivedDateTime asc",
                "$filter",
                    "receivedDateTime ge 2025-06-01T00:00:00Z and receivedDateTime lt"
                        + " 2025-06-03T00:00:00Z"));
    int pages = 0;
    int listed = 0;
    MailMessage previous = null;
    MessagePager.Page page = MessagePager.page(messages, query, "inbox");
    while (true) {
      pages++;
      for (MailMessage m : page.messages()) {
        listed++;
        check(m.folder().equals("inbox"), "folder of " + m.id());
        check(
            previous == null || m.compareKey(previous.receivedDateTime(), previous.id()) > 0,
            "order at " + m.id());
        previous = m;
      }
      MailMessage last = page.messages().get(page.messages().size() - 1);
      check(box.state().message(last.id()).orElseThrow().equals(last), "look-up " + last.id());
      if (page.next() == null) {
        break;
      }
      query = withSkipToken(query, page.next());
      page = MessagePager.page(messages, query, "inbox");
    }
    check(pages > 5 && listed > 500, "pages " + pages + ", listed " + listed);
    System.out.println("listed " + listed + " messages in " + pages + " pages");
  }

  private static MessageQuery withSkipToken(MessageQuery q, SkipToken token) {
    return new MessageQuery(
        q.top(),
        q.select(),
        q.descending(),
        q.count(),
        q.from(),
        q.fromInclusive(),
        q.to(),
        q.toInclusive(),
        q.hasAttachments(),
        token);
  }

  private static void check(boolean holds, String what) {
    if (!holds) {
      throw new IllegalStateException("check failed: " + what);
    }
  }
}
