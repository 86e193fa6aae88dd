package io.backfill.gateway.domain;

import io.backfill.gateway.persistence.GraphDirectoryStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which Microsoft Entra directory each tenant's mail is read from with the operator's app. Only the
 * admin-consent callback (an admin of that directory consented) and the platform admin bind; the
 * tenant's own word never does. The callback binds only a directory no other tenant holds: its
 * {@code tenant} parameter is unsigned, so a consented directory must not be claimable a second
 * time through it. The platform admin may bind one directory to several tenants (one organisation,
 * several Backfill tenants).
 */
@ApplicationScoped
public class GraphDirectories {

  /** Entra directory (tenant) id as Microsoft returns it. */
  private static final Pattern GUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** A verified domain of the directory, e.g. {@code contoso.onmicrosoft.com}. */
  private static final Pattern DOMAIN =
      Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");

  /** Longest directory id accepted. */
  public static final int MAX_CHARS = 64;

  /** How a binding was made. */
  public enum Via {
    CONSENT,
    ADMIN;

    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A tenant's directory. */
  public record Binding(String directoryId, Instant boundAt, String boundVia) {}

  /** What a bind did. */
  public enum Outcome {
    BOUND,
    /** The directory is bound to another tenant; nothing changed. */
    TAKEN
  }

  private final GraphDirectoryStore store;

  GraphDirectories(GraphDirectoryStore store) {
    this.store = store;
  }

  /** The directory id in lower case, or empty when it is neither a GUID nor a domain name. */
  public static Optional<String> normalise(String directoryId) {
    if (directoryId == null || directoryId.isEmpty() || directoryId.length() > MAX_CHARS) {
      return Optional.empty();
    }
    String lower = directoryId.toLowerCase(Locale.ROOT);
    return GUID.matcher(lower).matches() || DOMAIN.matcher(lower).matches()
        ? Optional.of(lower)
        : Optional.empty();
  }

  /**
   * Binds (or re-binds) the tenant to a normalised directory id. Through consent, only when no
   * other tenant holds the directory (else TAKEN and nothing changes); the platform admin's binding
   * is never refused for that.
   */
  @Transactional
  public Outcome bind(String tenantId, String directoryId, Via via) {
    // Two tenants binding the same directory at once: the second waits here and then sees it taken.
    store.lockDirectory(directoryId);
    boolean taken = via == Via.CONSENT && store.boundToAnotherTenant(directoryId, tenantId);
    if (taken) {
      return Outcome.TAKEN;
    }
    store.bind(tenantId, directoryId, via.value());
    return Outcome.BOUND;
  }

  /** False when the tenant had no binding. */
  @Transactional
  public boolean unbind(String tenantId) {
    return store.unbind(tenantId);
  }

  @Transactional
  public Optional<Binding> find(String tenantId) {
    return store
        .find(tenantId)
        .map(row -> new Binding(row.directoryId(), row.boundAt(), row.boundVia()));
  }
}
