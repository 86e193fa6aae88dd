package io.backfill.simulator.graph;

import java.util.List;

/**
 * An app that asks the identity platform for tokens.
 *
 * @param name the registration's display name
 * @param homeDirectory the one directory a directory's own app works in; null for a multi-tenant
 *     app, which works in every directory that consented to it
 * @param redirectUris where the admin-consent endpoint may send the administrator back to
 */
public record AppRegistration(
    String name,
    String clientId,
    String clientSecret,
    List<String> redirectUris,
    String homeDirectory) {

  public AppRegistration {
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("an app needs a client id");
    }
    if (clientSecret == null || clientSecret.isBlank()) {
      throw new IllegalArgumentException("app '" + clientId + "' needs a client secret");
    }
    redirectUris = List.copyOf(redirectUris);
  }

  public boolean multiTenant() {
    return homeDirectory == null;
  }
}
