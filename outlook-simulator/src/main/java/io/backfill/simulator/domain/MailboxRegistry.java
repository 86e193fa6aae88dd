package io.backfill.simulator.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.simulator.config.SimulatorConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The simulated mailboxes, generated at start-up from config and added at runtime by tests, and
 * every change made to them. With a state directory each change is also appended to the mailbox's
 * {@link ChangeLog} and replayed at start-up.
 */
@ApplicationScoped
@Startup
public class MailboxRegistry {

  private static final Logger LOG = Logger.getLogger(MailboxRegistry.class);

  /** Where new mail lands when no folder is given. */
  public static final String DEFAULT_FOLDER = "inbox";

  private final MailboxGenerator generator;
  private final ChangeLog log;
  private final Map<String, Mailbox> byKey = new ConcurrentHashMap<>();
  private final Map<String, Mailbox> byAddress = new ConcurrentHashMap<>();

  @Inject
  MailboxRegistry(SimulatorConfig config) {
    this(
        config.mailboxEnd().orElseGet(() -> Instant.now().truncatedTo(ChronoUnit.DAYS)),
        config.mailboxSpanDays(),
        config.stateDir().map(Path::of).orElse(null),
        MailboxSpec.parseList(config.mailboxes()));
  }

  /** Also for tests of the replay: a registry over a state directory (null: in memory only). */
  public MailboxRegistry(Instant end, int spanDays, Path stateDir, List<MailboxSpec> specs) {
    this.generator = new MailboxGenerator(end, spanDays);
    this.log = stateDir == null ? null : new ChangeLog(stateDir);
    List<String> replayed = new ArrayList<>();
    if (log != null) {
      for (List<JsonNode> entries : log.readAll()) {
        replayed.add(replay(entries).address());
      }
    }
    for (MailboxSpec spec : specs) {
      if (!replayed.contains(spec.address())) {
        create(spec);
      }
    }
  }

  /** Generates (or regenerates) a mailbox; the same spec always gives the same mail. */
  public Mailbox create(MailboxSpec spec) {
    Mailbox mailbox = generate(spec, UUID.randomUUID().toString());
    if (log != null) {
      log.start(mailbox);
    }
    return mailbox;
  }

  private Mailbox generate(MailboxSpec spec, String epoch) {
    long started = System.nanoTime();
    Mailbox mailbox = generator.generate(spec);
    mailbox.epoch(epoch);
    byAddress.put(mailbox.address(), mailbox);
    byKey.put(mailbox.address(), mailbox);
    byKey.put(mailbox.userId(), mailbox);
    LOG.infof(
        "generated mailbox %s: %d messages, seed %d, in %d ms",
        spec.address(), spec.size(), spec.seed(), (System.nanoTime() - started) / 1_000_000);
    return mailbox;
  }

  /** A mailbox by user principal name (any case) or user id. */
  public Optional<Mailbox> find(String userIdOrPrincipalName) {
    return Optional.ofNullable(byKey.get(userIdOrPrincipalName.toLowerCase(Locale.ROOT)));
  }

  public Collection<Mailbox> all() {
    return new ArrayList<>(byAddress.values());
  }

  /** New mail arrives in the inbox now; returns what arrived. */
  public List<MailMessage> deliver(Mailbox mailbox, int count) {
    return deliver(mailbox, count, null, null);
  }

  /**
   * New mail arrives in a folder (well-known name; null: the inbox) at {@code receivedAt} (null:
   * now, but never before the newest message, so paging oldest-first still meets arrivals last).
   */
  public List<MailMessage> deliver(Mailbox mailbox, int count, String folder, Instant receivedAt) {
    synchronized (mailbox) {
      Instant at = receivedAt;
      if (at == null) {
        MessageList snapshot = mailbox.snapshot();
        at = Instant.now();
        if (!snapshot.isEmpty()) {
          Instant newest = snapshot.received(snapshot.size() - 1).plusSeconds(1);
          at = at.isBefore(newest) ? newest : at;
        }
      }
      String into = folder == null ? DEFAULT_FOLDER : folder;
      List<MailMessage> arrived = applyDeliver(mailbox, count, into, at);
      ObjectNode entry = ChangeLog.entry("deliver");
      entry.put("count", count);
      entry.put("folder", into);
      entry.put("at", at.toString());
      append(mailbox, entry);
      return arrived;
    }
  }

  private List<MailMessage> applyDeliver(Mailbox mailbox, int count, String folder, Instant at) {
    List<MailMessage> arrivals = new ArrayList<>();
    for (MailMessage m : generator.arrivals(mailbox, count, at)) {
      arrivals.add(m.movedTo(m.id(), folder));
    }
    return mailbox.deliver(arrivals);
  }

  /**
   * Changes a message's subject, body or categories (null keeps one); a new body gets its ground
   * truth recomputed ({@link TruthRecompute}). Empty when there is no such message.
   */
  public Optional<MailMessage> update(
      Mailbox mailbox, String id, String subject, String body, List<String> categories) {
    synchronized (mailbox) {
      Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      Optional<MailMessage> updated = applyUpdate(mailbox, id, subject, body, categories, at);
      if (updated.isPresent()) {
        ObjectNode entry = ChangeLog.entry("update");
        entry.put("id", id);
        entry.put("subject", subject);
        entry.put("body", body);
        if (categories != null) {
          categories.forEach(entry.putArray("categories")::add);
        }
        entry.put("at", at.toString());
        append(mailbox, entry);
      }
      return updated;
    }
  }

  private static Optional<MailMessage> applyUpdate(
      Mailbox mailbox,
      String id,
      String subject,
      String body,
      List<String> categories,
      Instant at) {
    Mailbox.State state = mailbox.state();
    Optional<MailMessage> old = state.message(id);
    if (old.isEmpty()) {
      return Optional.empty();
    }
    GroundTruth truth = body == null ? null : TruthRecompute.of(state, old.get(), body);
    return Optional.of(mailbox.update(id, old.get().edited(subject, body, categories, truth), at));
  }

  /**
   * Moves a message to a folder (well-known name); under Graph's default ids it gets a new id.
   * Empty when there is no such message.
   */
  public Optional<MailMessage> move(Mailbox mailbox, String id, String folder) {
    synchronized (mailbox) {
      Mailbox.State state = mailbox.state();
      if (state.message(id).isEmpty()) {
        return Optional.empty();
      }
      Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      String newId = newId(id, state.seq() + 1);
      MailMessage moved = mailbox.move(id, newId, folder, at);
      ObjectNode entry = ChangeLog.entry("move");
      entry.put("id", id);
      entry.put("folder", folder);
      entry.put("newId", newId);
      entry.put("at", at.toString());
      append(mailbox, entry);
      return Optional.of(moved);
    }
  }

  /** Deletes a message; false when there is no such message. */
  public boolean delete(Mailbox mailbox, String id) {
    synchronized (mailbox) {
      if (mailbox.state().message(id).isEmpty()) {
        return false;
      }
      Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      mailbox.delete(id, at);
      ObjectNode entry = ChangeLog.entry("delete");
      entry.put("id", id);
      entry.put("at", at.toString());
      append(mailbox, entry);
      return true;
    }
  }

  /** Every delta and skip token of the mailbox issued before now is gone (410) from now on. */
  public void expireTokens(Mailbox mailbox) {
    synchronized (mailbox) {
      Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
      mailbox.expireTokens(at);
      ObjectNode entry = ChangeLog.entry("expire");
      entry.put("at", at.toString());
      append(mailbox, entry);
    }
  }

  private void append(Mailbox mailbox, ObjectNode entry) {
    if (log != null) {
      log.append(mailbox.address(), entry);
    }
  }

  private Mailbox replay(List<JsonNode> entries) {
    JsonNode header = entries.get(0);
    MailboxSpec spec =
        new MailboxSpec(
            header.get("address").asText(),
            header.get("size").asInt(),
            header.get("seed").asLong(),
            header.hasNonNull("tenant") ? header.get("tenant").asText() : null);
    Mailbox mailbox = generate(spec, header.get("epoch").asText());
    for (JsonNode e : entries.subList(1, entries.size())) {
      Instant at = Instant.parse(e.get("at").asText());
      switch (e.get("op").asText()) {
        case "deliver" ->
            applyDeliver(mailbox, e.get("count").asInt(), e.get("folder").asText(), at);
        case "update" -> {
          List<String> categories = null;
          if (e.has("categories")) {
            categories = new ArrayList<>();
            for (JsonNode c : e.get("categories")) {
              categories.add(c.asText());
            }
          }
          applyUpdate(
              mailbox, e.get("id").asText(), text(e, "subject"), text(e, "body"), categories, at);
        }
        case "move" ->
            mailbox.move(
                e.get("id").asText(), e.get("newId").asText(), e.get("folder").asText(), at);
        case "delete" -> mailbox.delete(e.get("id").asText(), at);
        case "expire" -> mailbox.expireTokens(at);
        default -> LOG.warnf("state log of %s: unknown entry %s skipped", spec.address(), e);
      }
    }
    LOG.infof(
        "replayed mailbox %s: %d changes, at change %d",
        spec.address(), entries.size() - 1, mailbox.state().seq());
    return mailbox;
  }

  private static String text(JsonNode e, String field) {
    return e.hasNonNull(field) ? e.get(field).asText() : null;
  }

  /** A moved message's new id: Graph-like, derived so a replay gives the same one. */
  private static String newId(String oldId, long seq) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] a = sha.digest((oldId + "/moved/" + seq).getBytes(StandardCharsets.UTF_8));
      byte[] b = sha.digest(a);
      byte[] raw = new byte[48];
      System.arraycopy(a, 0, raw, 0, 32);
      System.arraycopy(b, 0, raw, 32, 16);
      return "AAMk" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
