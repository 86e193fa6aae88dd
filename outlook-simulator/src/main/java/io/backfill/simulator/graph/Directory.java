package io.backfill.simulator.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tenant directory as Entra keeps it: its name, verified domains, the app of its own (if any),
 * and which multi-tenant apps its administrator consented to. Consent state changes at runtime.
 */
public final class Directory {

  private final String id;
  private final AppRegistration ownApp;
  private final Map<String, ConsentState> consents = new ConcurrentHashMap<>();
  private volatile String displayName;
  private volatile List<String> customDomains;
  private volatile ConsentDecision decision = ConsentDecision.APPROVE;

  /**
   * @param customDomains verified domains besides the initial one; null: the domains of the
   *     directory's mailboxes
   */
  public Directory(
      String id, String displayName, List<String> customDomains, AppRegistration ownApp) {
    this.id = id;
    this.ownApp = ownApp;
    this.displayName = displayName == null ? id : displayName;
    this.customDomains = customDomains == null ? null : normalise(customDomains);
  }

  /** A directory with defaults: named by its id, domains from its mailboxes, no app of its own. */
  public static Directory implicit(String id) {
    return new Directory(id, null, null, null);
  }

  public String id() {
    return id;
  }

  public String displayName() {
    return displayName;
  }

  public void displayName(String displayName) {
    this.displayName = displayName;
  }

  /** The app registered in this directory only, or null. */
  public AppRegistration ownApp() {
    return ownApp;
  }

  /** The configured custom domains, or null when they follow the directory's mailboxes. */
  public List<String> customDomains() {
    return customDomains;
  }

  public void customDomains(List<String> domains) {
    this.customDomains = domains == null ? null : normalise(domains);
  }

  /**
   * The initial domain every directory gets at creation, {@code <name>.onmicrosoft.com}, where the
   * name keeps the id's letters and digits only, as Entra's initial names do.
   */
  public String initialDomain() {
    String name = id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    return (name.isEmpty() ? "directory" : name) + ".onmicrosoft.com";
  }

  public ConsentDecision decision() {
    return decision;
  }

  public void decision(ConsentDecision decision) {
    this.decision = decision;
  }

  public ConsentState consent(String clientId) {
    return consents.getOrDefault(clientId, ConsentState.NEVER);
  }

  /** Records the administrator's consent to a multi-tenant app. */
  public void grant(String clientId) {
    consents.put(clientId, ConsentState.CONSENTED);
  }

  /** Withdraws a consent in force; false when there was none. */
  public boolean withdraw(String clientId) {
    return consents.replace(clientId, ConsentState.CONSENTED, ConsentState.WITHDRAWN);
  }

  /** Client ids of the multi-tenant apps consented to now, sorted. */
  public Set<String> consentedApps() {
    Set<String> apps = new TreeSet<>();
    consents.forEach(
        (clientId, state) -> {
          if (state == ConsentState.CONSENTED) {
            apps.add(clientId);
          }
        });
    return apps;
  }

  private static List<String> normalise(List<String> domains) {
    List<String> list = new ArrayList<>();
    for (String domain : domains) {
      String d = domain.trim().toLowerCase(Locale.ROOT);
      if (!d.isEmpty() && !list.contains(d)) {
        list.add(d);
      }
    }
    return List.copyOf(list);
  }
}
