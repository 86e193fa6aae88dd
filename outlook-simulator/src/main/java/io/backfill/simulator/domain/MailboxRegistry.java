package io.backfill.simulator.domain;

import io.backfill.simulator.config.SimulatorConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/** The simulated mailboxes, generated at start-up from config and added at runtime by tests. */
@ApplicationScoped
@Startup
public class MailboxRegistry {

  private static final Logger LOG = Logger.getLogger(MailboxRegistry.class);

  private final MailboxGenerator generator;
  private final Map<String, Mailbox> byKey = new ConcurrentHashMap<>();
  private final Map<String, Mailbox> byAddress = new ConcurrentHashMap<>();

  MailboxRegistry(SimulatorConfig config) {
    Instant end = config.mailboxEnd().orElseGet(() -> Instant.now().truncatedTo(ChronoUnit.DAYS));
    this.generator = new MailboxGenerator(end, config.mailboxSpanDays());
    for (MailboxSpec spec : MailboxSpec.parseList(config.mailboxes())) {
      create(spec);
    }
  }

  /** Generates (or regenerates) a mailbox; the same spec always gives the same mail. */
  public Mailbox create(MailboxSpec spec) {
    long started = System.nanoTime();
    Mailbox mailbox = generator.generate(spec);
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

  /** New mail arrives in the mailbox now; returns what arrived. */
  public List<MailMessage> deliver(Mailbox mailbox, int count) {
    // Never before the newest message, so paging oldest-first still meets the arrivals last.
    List<MailMessage> snapshot = mailbox.snapshot();
    Instant now = Instant.now();
    if (!snapshot.isEmpty()) {
      Instant newest = snapshot.get(snapshot.size() - 1).receivedDateTime().plusSeconds(1);
      now = now.isBefore(newest) ? newest : now;
    }
    List<MailMessage> arrivals = generator.arrivals(mailbox, count, now);
    mailbox.deliver(arrivals);
    return arrivals;
  }
}
