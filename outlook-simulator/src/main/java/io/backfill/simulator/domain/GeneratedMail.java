package io.backfill.simulator.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A generated mailbox's mail without the mail: per message only its received second, its folder and
 * attachment flag, its generation index and a 32-bit slice of its id for look-ups (17 bytes), in
 * paging order; per thread the generator state it started from (12 bytes). A message is derived
 * again on demand by replaying its thread, so the same seed always gives the same message and
 * memory does not grow with the mail's bodies.
 */
final class GeneratedMail {

  static final List<String> FOLDERS = List.of("inbox", "sentitems", "archive");

  /** Base64url in ASCII order, so comparing ranks compares ids as strings do. */
  private static final String ID_ORDER =
      "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

  private static final int ATTACHMENTS = 4;
  private static final int CACHED_THREADS = 64;

  private record Derived(int thread, List<MailMessage> messages) {}

  private final MailboxGenerator generator;
  private final MailboxSpec spec;
  private final Person owner;
  private final List<Person> contacts;
  private final long baseSecond;
  private final long[] threadStates;
  private final int[] threadFirsts;
  private final int[] genAt;
  private final int[] received;
  private final byte[] flags;
  private final long[] byId;
  private final int[] folderCounts;
  private final Map<String, Integer> presence;
  private final List<Entity> entities;
  private final Map<String, String> worksAt;
  private final AtomicReferenceArray<Derived> cache = new AtomicReferenceArray<>(CACHED_THREADS);

  private GeneratedMail(Builder b, int[] genAt, int[] received, byte[] flags, long[] byId) {
    this.generator = b.generator;
    this.spec = b.spec;
    this.owner = b.owner;
    this.contacts = List.copyOf(b.contacts);
    this.baseSecond = b.baseSecond;
    this.threadStates = Arrays.copyOf(b.threadStates, b.threads);
    this.threadFirsts = Arrays.copyOf(b.threadFirsts, b.threads);
    this.genAt = genAt;
    this.received = received;
    this.flags = flags;
    this.byId = byId;
    this.folderCounts = new int[FOLDERS.size()];
    for (byte f : flags) {
      folderCounts[f & 3]++;
    }
    this.presence = Map.copyOf(b.presence);
    List<Map.Entry<Entity, long[]>> seen = new ArrayList<>(b.firstSeen.entrySet());
    seen.sort(
        Comparator.comparingLong((Map.Entry<Entity, long[]> e) -> e.getValue()[0])
            .thenComparingLong(e -> e.getValue()[1])
            .thenComparingLong(e -> e.getValue()[2]));
    this.entities = seen.stream().map(Map.Entry::getKey).toList();
    this.worksAt = Collections.unmodifiableMap(new LinkedHashMap<>(b.worksAt));
  }

  MailboxSpec spec() {
    return spec;
  }

  Person owner() {
    return owner;
  }

  List<Person> contacts() {
    return contacts;
  }

  int size() {
    return genAt.length;
  }

  Instant received(int position) {
    return Instant.ofEpochSecond(baseSecond + received[position]);
  }

  String folder(int position) {
    return FOLDERS.get(flags[position] & 3);
  }

  boolean hasAttachments(int position) {
    return (flags[position] & ATTACHMENTS) != 0;
  }

  int count(String folder) {
    int code = FOLDERS.indexOf(folder);
    return code < 0 ? 0 : folderCounts[code];
  }

  /** How many generated messages name each person (by name) with an address in their truth. */
  Map<String, Integer> presence() {
    return presence;
  }

  /** Every entity of the generated truth, in order of first mention in paging order. */
  List<Entity> entities() {
    return entities;
  }

  /** Person name to organisation name, from the generated truth's WORKS_AT. */
  Map<String, String> worksAt() {
    return worksAt;
  }

  /** The message at a paging position, derived from its thread. */
  MailMessage message(int position) {
    return derive(genAt[position]);
  }

  /** The paging position of the message with this id, or -1. */
  int position(String id) {
    long key = idKey(id);
    if (key < 0) {
      return -1;
    }
    long prefix = key >>> 28;
    int at = Arrays.binarySearch(byId, prefix << 32);
    for (int i = at >= 0 ? at : -at - 1; i < byId.length && (byId[i] >>> 32) == prefix; i++) {
      int position = (int) byId[i];
      if (message(position).id().equals(id)) {
        return position;
      }
    }
    return -1;
  }

  /** How many messages come before the key (received, id) in paging order. */
  int lowerBound(Instant time, String id) {
    int lo = 0;
    int hi = size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int c = received(mid).compareTo(time);
      if (c == 0) {
        c = message(mid).id().compareTo(id);
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private MailMessage derive(int index) {
    int at = Arrays.binarySearch(threadFirsts, index);
    int thread = at >= 0 ? at : -at - 2;
    int slot = thread % CACHED_THREADS;
    Derived cached = cache.get(slot);
    if (cached == null || cached.thread() != thread) {
      cached =
          new Derived(
              thread,
              generator.replay(
                  spec, owner, contacts, threadStates[thread], threadFirsts[thread], thread));
      cache.set(slot, cached);
    }
    return cached.messages().get(index - threadFirsts[thread]);
  }

  /**
   * The first ten characters of an id after its four-character prefix as a 60-bit number that
   * orders as the text does; -1 for an id that is not a generated one.
   */
  static long idKey(String id) {
    if (id.length() < 14) {
      return -1;
    }
    long key = 0;
    for (int i = 4; i < 14; i++) {
      int rank = ID_ORDER.indexOf(id.charAt(i));
      if (rank < 0) {
        return -1;
      }
      key = (key << 6) | rank;
    }
    return key;
  }

  /** Collects the generator's single pass over a mailbox, message by message. */
  static final class Builder {
    private final MailboxGenerator generator;
    private final MailboxSpec spec;
    private final Person owner;
    private final List<Person> contacts;
    private final long baseSecond;
    private long[] threadStates = new long[64];
    private int[] threadFirsts = new int[64];
    private int threads;
    private int[] receivedByIndex;
    private byte[] flagsByIndex;
    private long[] idKeys;
    private int count;
    private final Map<String, Integer> presence = new HashMap<>();
    private final Map<Entity, long[]> firstSeen = new HashMap<>();
    private final Map<String, String> worksAt = new HashMap<>();

    Builder(
        MailboxGenerator generator,
        MailboxSpec spec,
        Person owner,
        List<Person> contacts,
        long baseSecond) {
      this.generator = generator;
      this.spec = spec;
      this.owner = owner;
      this.contacts = contacts;
      this.baseSecond = baseSecond;
      this.receivedByIndex = new int[spec.size()];
      this.flagsByIndex = new byte[spec.size()];
      this.idKeys = new long[spec.size()];
    }

    /** A thread starts at this message index, from this generator state. */
    void thread(long state, int first) {
      if (threads == threadStates.length) {
        threadStates = Arrays.copyOf(threadStates, threads * 2);
        threadFirsts = Arrays.copyOf(threadFirsts, threads * 2);
      }
      threadStates[threads] = state;
      threadFirsts[threads++] = first;
    }

    void add(MailMessage m) {
      int index = count++;
      long second = m.receivedDateTime().getEpochSecond() - baseSecond;
      if (second < 0 || second > Integer.MAX_VALUE) {
        throw new IllegalStateException("received time out of the mailbox's span: " + m.id());
      }
      receivedByIndex[index] = (int) second;
      int folder = FOLDERS.indexOf(m.folder());
      flagsByIndex[index] = (byte) (folder | (m.hasAttachments() ? ATTACHMENTS : 0));
      long key = idKey(m.id());
      idKeys[index] = key;
      List<Entity> truth = m.groundTruth().entities();
      for (int k = 0; k < truth.size(); k++) {
        Entity e = truth.get(k);
        if (Entity.PERSON.equals(e.type()) && e.email() != null) {
          presence.merge(e.name(), 1, Integer::sum);
        }
        long[] seen = firstSeen.get(e);
        if (seen == null
            || second < seen[0]
            || (second == seen[0] && (key < seen[1] || (key == seen[1] && k < seen[2])))) {
          firstSeen.put(e, new long[] {second, key, k});
        }
      }
      for (Relationship r : m.groundTruth().relationships()) {
        if (Relationship.WORKS_AT.equals(r.type())) {
          worksAt.putIfAbsent(r.source(), r.target());
        }
      }
    }

    GeneratedMail build() {
      int n = count;
      long[] keys = new long[n];
      for (int g = 0; g < n; g++) {
        keys[g] = ((long) receivedByIndex[g] << 32) | g;
      }
      receivedByIndex = null;
      Arrays.sort(keys);
      // Equal received seconds are ordered by id, as paging orders them.
      for (int i = 0; i < n; ) {
        int j = i + 1;
        while (j < n && (keys[j] >>> 32) == (keys[i] >>> 32)) {
          j++;
        }
        if (j - i > 1) {
          sortById(keys, i, j);
        }
        i = j;
      }
      int[] genAt = new int[n];
      int[] received = new int[n];
      byte[] flags = new byte[n];
      for (int p = 0; p < n; p++) {
        genAt[p] = (int) keys[p];
        received[p] = (int) (keys[p] >>> 32);
        flags[p] = flagsByIndex[genAt[p]];
      }
      flagsByIndex = null;
      for (int p = 0; p < n; p++) {
        keys[p] = ((idKeys[genAt[p]] >>> 28) << 32) | p;
      }
      idKeys = null;
      Arrays.sort(keys);
      return new GeneratedMail(this, genAt, received, flags, keys);
    }

    private void sortById(long[] keys, int from, int to) {
      Long[] run = new Long[to - from];
      for (int i = from; i < to; i++) {
        run[i - from] = keys[i];
      }
      Arrays.sort(
          run,
          (a, b) -> {
            int c = Long.compare(idKeys[(int) (long) a], idKeys[(int) (long) b]);
            return c != 0 ? c : id((int) (long) a).compareTo(id((int) (long) b));
          });
      for (int i = from; i < to; i++) {
        keys[i] = run[i - from];
      }
    }

    /** The full id of a message by generation index; only for ids equal in their first 60 bits. */
    private String id(int index) {
      int at = Arrays.binarySearch(threadFirsts, 0, threads, index);
      int thread = at >= 0 ? at : -at - 2;
      return generator
          .replay(spec, owner, contacts, threadStates[thread], threadFirsts[thread], thread)
          .get(index - threadFirsts[thread])
          .id();
    }
  }
}
