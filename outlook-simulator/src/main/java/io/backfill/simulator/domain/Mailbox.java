package io.backfill.simulator.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A user's mail, in paging order (received time, then id), with its change log: every delivery,
 * update, move and deletion takes the next change-log position ({@code seq}); a changed message
 * carries the position of its last change as its version, a removed one leaves a {@link Removal}.
 * Delta rounds are ranges of positions. Every change replaces the whole state, so a reader always
 * holds a consistent snapshot.
 */
public final class Mailbox {

  /** A message that left a folder (deleted, or moved away under a new id) at change {@code seq}. */
  public record Removal(long seq, String id, String folder, String reason, Instant at) {}

  /** Everything a reader needs at once; never changes. */
  public record State(
      MessageList messages, List<Removal> removals, long seq, Instant tokensValidFrom) {

    public Optional<MailMessage> message(String id) {
      return messages.find(id);
    }
  }

  private final MailboxSpec spec;
  private final String userId;
  private final Person owner;
  private volatile String epoch = UUID.randomUUID().toString();
  private volatile State state;

  Mailbox(MailboxSpec spec, Person owner, GeneratedMail mail) {
    this.spec = spec;
    this.owner = owner;
    // Graph users have a GUID id besides their principal name; derive it so it is stable.
    this.userId = UUID.nameUUIDFromBytes(spec.address().getBytes()).toString();
    this.state = new State(new MessageList(mail), List.of(), 0, Instant.EPOCH);
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

  /**
   * Which generation of the mailbox this is: regenerating a mailbox gives it a new epoch, so sync
   * states of the old one are gone. Kept in the state log, so a restart keeps it.
   */
  public String epoch() {
    return epoch;
  }

  public void epoch(String epoch) {
    this.epoch = epoch;
  }

  /** The messages as of now, oldest first; the list never changes. */
  public MessageList snapshot() {
    return state.messages();
  }

  public State state() {
    return state;
  }

  /** New mail arrives; each arrival is one change. */
  public synchronized List<MailMessage> deliver(List<MailMessage> arrivals) {
    State s = state;
    long seq = s.seq();
    List<MailMessage> stamped = new ArrayList<>(arrivals.size());
    for (MailMessage m : arrivals) {
      stamped.add(m.at(++seq, m.receivedDateTime()));
    }
    state = new State(s.messages().plus(stamped), s.removals(), seq, s.tokensValidFrom());
    return stamped;
  }

  /** Replaces a message by its changed form at the next position; returns the stored form. */
  public synchronized MailMessage update(String id, MailMessage changed, Instant at) {
    State s = state;
    long seq = s.seq() + 1;
    MailMessage stored = changed.at(seq, at);
    state = new State(s.messages().replace(id, stored), s.removals(), seq, s.tokensValidFrom());
    return stored;
  }

  /** Moves a message to another folder under a new id: a removal from the old folder. */
  public synchronized MailMessage move(String id, String newId, String folder, Instant at) {
    State s = state;
    MailMessage old = s.message(id).orElseThrow();
    long seq = s.seq() + 1;
    MailMessage moved = old.movedTo(newId, folder).at(seq, at);
    List<Removal> removals = new ArrayList<>(s.removals());
    // Graph reports an item moved out of a folder as deleted from it.
    removals.add(new Removal(seq, id, old.folder(), "deleted", at));
    state =
        new State(s.messages().replace(id, moved), List.copyOf(removals), seq, s.tokensValidFrom());
    return moved;
  }

  /** Deletes a message for good. */
  public synchronized void delete(String id, Instant at) {
    State s = state;
    MailMessage old = s.message(id).orElseThrow();
    long seq = s.seq() + 1;
    List<Removal> removals = new ArrayList<>(s.removals());
    removals.add(new Removal(seq, id, old.folder(), "deleted", at));
    state = new State(s.messages().minus(id), List.copyOf(removals), seq, s.tokensValidFrom());
  }

  /** Every sync state issued before {@code at} is gone from now on. */
  public synchronized void expireTokens(Instant at) {
    State s = state;
    Instant from = at.isAfter(s.tokensValidFrom()) ? at : s.tokensValidFrom();
    state = new State(s.messages(), s.removals(), s.seq(), from);
  }
}
