package io.backfill.simulator.graph;

import io.backfill.simulator.config.SimulatorConfig;
import io.backfill.simulator.domain.Mailbox;
import io.backfill.simulator.domain.MailboxRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The tenant directories Entra knows and the multi-tenant apps registered with it. Directories come
 * from config, from the admin API, and from mailboxes that name a directory (a mailbox always lives
 * in one). Built at start-up so a directory or app misconfigured fails the start, naming the key.
 */
@ApplicationScoped
@Startup
public class DirectoryRegistry {

  /** The tenant segments that name no directory: the sign-in decides which one answers. */
  private static final Set<String> MULTI_TENANT_SEGMENTS =
      Set.of("organizations", "common", "consumers");

  private static final Pattern DIRECTORY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,63}");
  private static final Pattern DOMAIN =
      Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

  /** The result of creating or changing a directory through the admin API. */
  public record Put(Directory directory, boolean created) {}

  private final MailboxRegistry mailboxes;
  private final Map<String, Directory> directories = new ConcurrentHashMap<>();
  private final Map<String, AppRegistration> multiTenantApps;

  DirectoryRegistry(SimulatorConfig config, MailboxRegistry mailboxes) {
    this.mailboxes = mailboxes;
    this.multiTenantApps = multiTenantApps(config.graph().apps());
    config.graph().tenants().forEach((id, c) -> directories.put(id, configured(id, c)));
  }

  /**
   * A directory by id, or by one of its verified domains (the identity platform takes either in the
   * tenant segment of its URLs).
   */
  public Optional<Directory> find(String idOrDomain) {
    if (idOrDomain == null || idOrDomain.isBlank()) {
      return Optional.empty();
    }
    Directory byId = directories.get(idOrDomain);
    if (byId != null) {
      return Optional.of(byId);
    }
    if (mailboxTenants().contains(idOrDomain)) {
      return Optional.of(directories.computeIfAbsent(idOrDomain, Directory::implicit));
    }
    return byDomain(idOrDomain);
  }

  /** The directory, or 400 AADSTS90002 as for a tenant that does not exist. */
  public Directory require(String idOrDomain) {
    return find(idOrDomain)
        .orElseThrow(
            () ->
                new AadException(
                    400,
                    "invalid_request",
                    90002,
                    "Tenant '"
                        + idOrDomain
                        + "' not found. Check to make sure you have the correct tenant ID and"
                        + " are signing into the correct cloud."));
  }

  /**
   * The directory that verified a domain. Domains set in config or through the admin API win over
   * domains that only follow from a mailbox's address.
   */
  public Optional<Directory> byDomain(String domain) {
    String wanted = domain.trim().toLowerCase(Locale.ROOT);
    return all().stream()
        .filter(d -> domainNames(d).contains(wanted))
        .min(
            Comparator.comparing((Directory d) -> d.customDomains() == null)
                .thenComparing(Directory::id));
  }

  /** Every directory, by id. */
  public List<Directory> all() {
    for (String tenant : mailboxTenants()) {
      directories.computeIfAbsent(tenant, Directory::implicit);
    }
    List<Directory> all = new ArrayList<>(directories.values());
    all.sort(Comparator.comparing(Directory::id));
    return all;
  }

  /**
   * The directory's verified domains: its custom domains (configured, or else those of its
   * mailboxes) and its initial domain. The first custom domain is the default; with none, the
   * initial domain is.
   */
  public List<VerifiedDomain> verifiedDomains(Directory directory) {
    List<String> custom = customDomains(directory);
    List<VerifiedDomain> domains = new ArrayList<>();
    for (String name : custom) {
      domains.add(new VerifiedDomain(name, domains.isEmpty(), false));
    }
    domains.add(new VerifiedDomain(directory.initialDomain(), custom.isEmpty(), true));
    return domains;
  }

  /** A multi-tenant app by client id. */
  public Optional<AppRegistration> multiTenantApp(String clientId) {
    return Optional.ofNullable(clientId).map(multiTenantApps::get);
  }

  /**
   * Creates a directory, or changes the name and custom domains of one; a null name or domain list
   * leaves that part as it is (or at its default). A domain another directory verified explicitly
   * is refused with 409.
   */
  public synchronized Put put(String id, String displayName, List<String> domains) {
    if (id == null || !DIRECTORY_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "directory id must be 1-64 letters, digits, '.' or '-', starting with a letter or digit: "
              + id);
    }
    if (MULTI_TENANT_SEGMENTS.contains(id.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("'" + id + "' names no directory and cannot be created");
    }
    List<String> checked = domains == null ? null : checkedDomains(id, domains);
    boolean created = !directories.containsKey(id) && !mailboxTenants().contains(id);
    Directory directory = directories.computeIfAbsent(id, Directory::implicit);
    if (displayName != null && !displayName.isBlank()) {
      directory.displayName(displayName.trim());
    }
    if (checked != null) {
      directory.customDomains(checked);
    }
    return new Put(directory, created);
  }

  private List<String> customDomains(Directory directory) {
    if (directory.customDomains() != null) {
      return directory.customDomains();
    }
    Set<String> derived = new TreeSet<>();
    for (Mailbox m : mailboxes.all()) {
      if (directory.id().equals(m.spec().tenant())) {
        derived.add(m.address().substring(m.address().indexOf('@') + 1));
      }
    }
    return List.copyOf(derived);
  }

  private List<String> domainNames(Directory directory) {
    return verifiedDomains(directory).stream().map(VerifiedDomain::name).toList();
  }

  private List<String> checkedDomains(String id, List<String> domains) {
    List<String> checked = new ArrayList<>();
    for (String domain : domains) {
      String d = domain == null ? "" : domain.trim().toLowerCase(Locale.ROOT);
      if (!DOMAIN.matcher(d).matches()) {
        throw new IllegalArgumentException("not a domain name: '" + domain + "'");
      }
      for (Directory other : directories.values()) {
        if (!other.id().equals(id)
            && other.customDomains() != null
            && other.customDomains().contains(d)) {
          throw new GraphException(
              409,
              "Conflict",
              "Domain '" + d + "' is already verified by directory '" + other.id() + "'.");
        }
      }
      checked.add(d);
    }
    return checked;
  }

  private Set<String> mailboxTenants() {
    Set<String> tenants = new TreeSet<>();
    for (Mailbox m : mailboxes.all()) {
      if (m.spec().tenant() != null) {
        tenants.add(m.spec().tenant());
      }
    }
    return tenants;
  }

  private Directory configured(String id, SimulatorConfig.DirectoryConfig config) {
    String key = "backfill.simulator.graph.tenants." + id;
    if (config.clientId().isPresent() != config.clientSecret().isPresent()) {
      throw new IllegalStateException(
          key + ".client-id and " + key + ".client-secret must be set together");
    }
    AppRegistration own =
        config.clientId().isEmpty()
            ? null
            : new AppRegistration(
                config.clientId().get(),
                config.clientId().get(),
                config.clientSecret().get(),
                List.of(),
                id);
    Directory directory =
        new Directory(
            id, config.displayName().orElse(null), config.verifiedDomains().orElse(null), own);
    for (String clientId : config.consentedApps().orElse(List.of())) {
      if (!multiTenantApps.containsKey(clientId)) {
        throw new IllegalStateException(
            key
                + ".consented-apps names '"
                + clientId
                + "', which is not the client id of any backfill.simulator.graph.apps.*");
      }
      directory.grant(clientId);
    }
    return directory;
  }

  private static Map<String, AppRegistration> multiTenantApps(
      Map<String, SimulatorConfig.AppConfig> apps) {
    Map<String, AppRegistration> byClientId = new HashMap<>();
    apps.forEach(
        (name, app) -> {
          AppRegistration registration =
              new AppRegistration(
                  name,
                  app.clientId(),
                  app.clientSecret(),
                  app.redirectUris().orElse(List.of()),
                  null);
          AppRegistration clash = byClientId.put(app.clientId(), registration);
          if (clash != null) {
            throw new IllegalStateException(
                "two backfill.simulator.graph.apps.* share client id '" + app.clientId() + "'");
          }
        });
    return Map.copyOf(byClientId);
  }
}
