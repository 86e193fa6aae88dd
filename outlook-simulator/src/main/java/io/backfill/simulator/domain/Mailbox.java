package io.backfill.simulator.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * A user's mail, in paging order (received time, then id). New mail is appended by replacing the
 * list, so a reader always holds a consistent snapshot.
 */
public final class Mailbox {

  private final MailboxSpec spec;
  private final String userId;
  private final Person owner;
  private volatile List<MailMessage> messages;

  public Mailbox(MailboxSpec spec, Person owner, List<MailMessage> messages) {
    this.spec = spec;
    this.owner = owner;
    // Graph users have a GUID id besides their principal name; derive it so it is stable.
    this.userId = UUID.nameUUIDFromBytes(spec.address().getBytes()).toString();
    List<MailMessage> sorted = new ArrayList<>(messages);
    sorted.sort((a, b) -> a.compareKey(b.receivedDateTime(), b.id()));
    this.messages = Collections.unmodifiableList(sorted);
  }

  public MailboxSpec spec() {
    return spec;
  }

  public String address() {
    return spec.address();
  }

  public String userId() {
    return userId;
  }

  public Person owner() {
    return owner;
  }

  /** The messages as of now, oldest first; the list never changes. */
  public List<MailMessage> snapshot() {
    return messages;
  }

  /** New mail arrives; each message must be received no earlier than the newest one so far. */
  public synchronized void deliver(List<MailMessage> arrivals) {
    List<MailMessage> next = new ArrayList<>(messages);
    next.addAll(arrivals);
    next.sort((a, b) -> a.compareKey(b.receivedDateTime(), b.id()));
    messages = Collections.unmodifiableList(next);
  }
}
