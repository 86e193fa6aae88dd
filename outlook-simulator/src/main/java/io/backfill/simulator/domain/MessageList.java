package io.backfill.simulator.domain;

import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * A mailbox's messages in paging order (received time, then id): the generated mail, less the
 * generated messages changed or deleted since ({@code hidden}), merged with the changed ones and
 * new arrivals ({@code changed}, kept whole; few). Never changes: every change makes a new list.
 * Getting a generated message derives it; the received time, folder, attachment flag and version of
 * any position are known without deriving it, so paging scans cost nothing per skipped message.
 */
public final class MessageList extends AbstractList<MailMessage> implements RandomAccess {

  private final GeneratedMail base;
  private final int[] hidden;
  private final List<MailMessage> changed;
  private final int[] changedAt;

  MessageList(GeneratedMail base) {
    this(base, new int[0], List.of());
  }

  private MessageList(GeneratedMail base, int[] hidden, List<MailMessage> changed) {
    this.base = base;
    this.hidden = hidden;
    List<MailMessage> sorted = new ArrayList<>(changed);
    sorted.sort((a, b) -> a.compareKey(b.receivedDateTime(), b.id()));
    this.changed = Collections.unmodifiableList(sorted);
    this.changedAt = new int[sorted.size()];
    for (int j = 0; j < sorted.size(); j++) {
      MailMessage m = sorted.get(j);
      int before = base.lowerBound(m.receivedDateTime(), m.id());
      changedAt[j] = j + before - hiddenBefore(before);
    }
  }

  @Override
  public int size() {
    return base.size() - hidden.length + changed.size();
  }

  @Override
  public MailMessage get(int index) {
    int at = locate(index);
    return at < 0 ? changed.get(-at - 1) : base.message(at);
  }

  public Instant received(int index) {
    int at = locate(index);
    return at < 0 ? changed.get(-at - 1).receivedDateTime() : base.received(at);
  }

  public String folder(int index) {
    int at = locate(index);
    return at < 0 ? changed.get(-at - 1).folder() : base.folder(at);
  }

  public boolean hasAttachments(int index) {
    int at = locate(index);
    return at < 0 ? changed.get(-at - 1).hasAttachments() : base.hasAttachments(at);
  }

  /** The change-log position of the message's last change; 0 for generated, unchanged mail. */
  public long version(int index) {
    int at = locate(index);
    return at < 0 ? changed.get(-at - 1).version() : 0;
  }

  /** Compares the message at {@code index} with the paging key (received, id). */
  public int compareKey(int index, Instant time, String id) {
    int c = received(index).compareTo(time);
    return c != 0 ? c : get(index).id().compareTo(id);
  }

  /** The messages delivered or changed since generation (every version above 0), paging order. */
  public List<MailMessage> changed() {
    return changed;
  }

  /** How many messages a folder holds (well-known name). */
  public int count(String folder) {
    int n = base.count(folder);
    for (int p : hidden) {
      n -= base.folder(p).equals(folder) ? 1 : 0;
    }
    for (MailMessage m : changed) {
      n += m.folder().equals(folder) ? 1 : 0;
    }
    return n;
  }

  public Optional<MailMessage> find(String id) {
    for (MailMessage m : changed) {
      if (m.id().equals(id)) {
        return Optional.of(m);
      }
    }
    int p = base.position(id);
    return p < 0 || isHidden(p) ? Optional.empty() : Optional.of(base.message(p));
  }

  /** Every entity of the mail's ground truth: the generated mail's, then the changed mail's. */
  public List<Entity> knownEntities() {
    List<Entity> all = new ArrayList<>(base.entities());
    changed.forEach(m -> all.addAll(m.groundTruth().entities()));
    return all;
  }

  /** The WORKS_AT relationships of the mail's ground truth: generated mail's, then changed. */
  public List<Relationship> knownEmployers() {
    List<Relationship> all = new ArrayList<>();
    base.worksAt().forEach((p, o) -> all.add(new Relationship(p, Relationship.WORKS_AT, o)));
    for (MailMessage m : changed) {
      for (Relationship r : m.groundTruth().relationships()) {
        if (Relationship.WORKS_AT.equals(r.type())) {
          all.add(r);
        }
      }
    }
    return all;
  }

  GeneratedMail base() {
    return base;
  }

  /** The generated messages no longer there as generated (changed or deleted), as generated. */
  List<MailMessage> hiddenGenerated() {
    List<MailMessage> gone = new ArrayList<>(hidden.length);
    for (int p : hidden) {
      gone.add(base.message(p));
    }
    return gone;
  }

  /** With new mail. */
  MessageList plus(List<MailMessage> arrivals) {
    List<MailMessage> next = new ArrayList<>(changed);
    next.addAll(arrivals);
    return new MessageList(base, hidden, next);
  }

  /** With the message {@code id} replaced by {@code replacement} (which may have a new id). */
  MessageList replace(String id, MailMessage replacement) {
    return without(id, replacement);
  }

  /** Without the message {@code id}. */
  MessageList minus(String id) {
    return without(id, null);
  }

  private MessageList without(String id, MailMessage replacement) {
    List<MailMessage> next = new ArrayList<>(changed);
    int[] nextHidden = hidden;
    if (!next.removeIf(m -> m.id().equals(id))) {
      int p = base.position(id);
      if (p < 0 || isHidden(p)) {
        throw new IllegalArgumentException("no message " + id);
      }
      nextHidden = Arrays.copyOf(hidden, hidden.length + 1);
      nextHidden[hidden.length] = p;
      Arrays.sort(nextHidden);
    }
    if (replacement != null) {
      next.add(replacement);
    }
    return new MessageList(base, nextHidden, next);
  }

  private boolean isHidden(int position) {
    return Arrays.binarySearch(hidden, position) >= 0;
  }

  private int hiddenBefore(int position) {
    int at = Arrays.binarySearch(hidden, position);
    return at >= 0 ? at : -at - 1;
  }

  /** A generated message's position (0 or more), or -(j + 1) for the j-th changed message. */
  private int locate(int index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException(index);
    }
    int at = Arrays.binarySearch(changedAt, index);
    if (at >= 0) {
      return -at - 1;
    }
    int position = index + at + 1;
    for (int h : hidden) {
      if (h > position) {
        break;
      }
      position++;
    }
    return position;
  }
}
