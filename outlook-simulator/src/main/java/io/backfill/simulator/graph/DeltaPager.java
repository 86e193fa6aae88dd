package io.backfill.simulator.graph;

import io.backfill.simulator.domain.MailMessage;
import io.backfill.simulator.domain.Mailbox;
import io.backfill.simulator.domain.MessageList;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one page of a folder's delta round out of a mailbox state. A round covers the change-log
 * range (since, upto]: first the folder's messages whose last change is in the range, in paging
 * order, then (after a first round) the removals from the folder in the range, by position.
 *
 * <p>The range is fixed when the round starts, so what changes while it is paged has a later
 * position and shows up in the next round, never lost: a message changed meanwhile leaves this
 * round's range (it may have been listed already and is listed again next round), a message deleted
 * meanwhile leaves a removal for the next round. The cursor is a key, so no page repeats or skips
 * one that still belongs to the round.
 */
public final class DeltaPager {

  /** A message (created or changed) or a removal. */
  public record Item(MailMessage message, Mailbox.Removal removal) {}

  /** One page; {@code next} is the cursor token to continue with, null on the round's last page. */
  public record Page(List<Item> items, DeltaToken next) {}

  private DeltaPager() {}

  public static Page page(Mailbox.State state, DeltaToken round, int size) {
    List<Item> items = new ArrayList<>(size);
    boolean more = false;
    if (round.phase() == 0) {
      MessageList messages = state.messages();
      int i = round.cursorTime() == null ? 0 : after(messages, round);
      for (; i < messages.size(); i++) {
        if (inRound(messages, i, round)) {
          if (items.size() == size) {
            more = true;
            break;
          }
          items.add(new Item(messages.get(i), null));
        }
      }
    }
    // A first round is a baseline: it reports what is there, not what went before it.
    if (!more && round.since() >= 0) {
      long after = round.phase() == 1 ? round.cursorSeq() : Long.MIN_VALUE;
      for (Mailbox.Removal r : state.removals()) {
        if (r.folder().equals(round.folder())
            && r.seq() > round.since()
            && r.seq() <= round.upto()
            && r.seq() > after) {
          if (items.size() == size) {
            more = true;
            break;
          }
          items.add(new Item(null, r));
        }
      }
    }
    if (!more) {
      return new Page(items, null);
    }
    Item last = items.get(items.size() - 1);
    DeltaToken next =
        last.message() != null
            ? cursor(round, 0, last.message().receivedDateTime(), last.message().id(), 0)
            : cursor(round, 1, null, null, last.removal().seq());
    return new Page(items, next);
  }

  private static boolean inRound(MessageList messages, int i, DeltaToken round) {
    long version = messages.version(i);
    if (version <= round.since()
        || version > round.upto()
        || !messages.folder(i).equals(round.folder())) {
      return false;
    }
    if (round.from() == null) {
      return true;
    }
    int c = messages.received(i).compareTo(round.from());
    return c > 0 || (c == 0 && round.fromInclusive());
  }

  private static DeltaToken cursor(
      DeltaToken round, int phase, java.time.Instant time, String id, long seq) {
    return new DeltaToken(
        true,
        round.mailbox(),
        round.epoch(),
        round.folder(),
        round.since(),
        round.upto(),
        phase,
        time,
        id,
        seq,
        round.select(),
        round.from(),
        round.fromInclusive(),
        round.text(),
        round.issued());
  }

  /** First index whose key is after the cursor. */
  private static int after(MessageList messages, DeltaToken cursor) {
    int lo = 0;
    int hi = messages.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (messages.compareKey(mid, cursor.cursorTime(), cursor.cursorId()) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
