package io.backfill.simulator.graph;

import io.backfill.simulator.domain.MailMessage;
import io.backfill.simulator.domain.MessageList;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one page out of a mailbox snapshot. Keyset paging on (receivedDateTime, id): a page starts
 * strictly after the key in the skip token, so a later page never repeats or skips a message even
 * when new mail arrives between pages.
 */
public final class MessagePager {

  /** One page; {@code next} is null on the last page, {@code count} null unless asked for. */
  public record Page(List<MailMessage> messages, SkipToken next, Long count) {}

  private MessagePager() {}

  public static Page page(MessageList snapshot, MessageQuery query, String folder) {
    int lo = query.from() == null ? 0 : lowerIndex(snapshot, query.from(), query.fromInclusive());
    int hi =
        query.to() == null
            ? snapshot.size()
            : upperIndex(snapshot, query.to(), query.toInclusive());
    List<MailMessage> page = new ArrayList<>(Math.min(query.top(), Math.max(0, hi - lo)));
    SkipToken cursor = query.skipToken();
    boolean more = false;
    if (query.descending()) {
      int i = cursor == null ? hi - 1 : Math.min(hi, before(snapshot, cursor)) - 1;
      for (; i >= lo; i--) {
        if (matches(snapshot, i, query, folder)) {
          if (page.size() == query.top()) {
            more = true;
            break;
          }
          page.add(snapshot.get(i));
        }
      }
    } else {
      int i = cursor == null ? lo : Math.max(lo, after(snapshot, cursor));
      for (; i < hi; i++) {
        if (matches(snapshot, i, query, folder)) {
          if (page.size() == query.top()) {
            more = true;
            break;
          }
          page.add(snapshot.get(i));
        }
      }
    }
    SkipToken next = null;
    if (more) {
      MailMessage last = page.get(page.size() - 1);
      next = new SkipToken(last.receivedDateTime(), last.id());
    }
    Long count = query.count() ? count(snapshot, lo, hi, query, folder) : null;
    return new Page(page, next, count);
  }

  /** Days the query's window covers, bounded by the mail there is; for the 504 budget. */
  public static double windowDays(MessageList snapshot, MessageQuery query) {
    if (snapshot.isEmpty()) {
      return 0;
    }
    Instant oldest = snapshot.received(0);
    Instant newest = snapshot.received(snapshot.size() - 1);
    Instant from = query.from() == null || query.from().isBefore(oldest) ? oldest : query.from();
    Instant to = query.to() == null || query.to().isAfter(newest) ? newest : query.to();
    return Math.max(0, Duration.between(from, to).toSeconds()) / 86_400.0;
  }

  private static boolean matches(MessageList snapshot, int i, MessageQuery query, String folder) {
    return (folder == null || folder.equals(snapshot.folder(i)))
        && (query.hasAttachments() == null || query.hasAttachments() == snapshot.hasAttachments(i));
  }

  private static long count(
      MessageList snapshot, int lo, int hi, MessageQuery query, String folder) {
    if (folder == null && query.hasAttachments() == null) {
      return Math.max(0, hi - lo);
    }
    long n = 0;
    for (int i = lo; i < hi; i++) {
      n += matches(snapshot, i, query, folder) ? 1 : 0;
    }
    return n;
  }

  /** First index whose time is at or after (inclusive) / after (exclusive) the bound. */
  private static int lowerIndex(MessageList snapshot, Instant bound, boolean inclusive) {
    int lo = 0;
    int hi = snapshot.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int c = snapshot.received(mid).compareTo(bound);
      if (c < 0 || (c == 0 && !inclusive)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** One past the last index whose time is at or before (inclusive) / before the bound. */
  private static int upperIndex(MessageList snapshot, Instant bound, boolean inclusive) {
    return lowerIndex(snapshot, bound, !inclusive);
  }

  /** First index whose key is after the cursor. */
  private static int after(MessageList snapshot, SkipToken cursor) {
    int lo = 0;
    int hi = snapshot.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (snapshot.compareKey(mid, cursor.receivedDateTime(), cursor.id()) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** One past the last index whose key is before the cursor. */
  private static int before(MessageList snapshot, SkipToken cursor) {
    int lo = 0;
    int hi = snapshot.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (snapshot.compareKey(mid, cursor.receivedDateTime(), cursor.id()) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
