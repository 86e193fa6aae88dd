package io.backfill.simulator.graph;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The identity platform's admin-consent flow, {@code GET /{tenant}/adminconsent}: which directory's
 * administrator answers, whether the app and its redirect URI are known, and what the administrator
 * decided. Mistakes in the request itself end on an error page, never at the redirect URI, since an
 * unchecked redirect URI must not receive anything.
 */
@ApplicationScoped
public class AdminConsent {

  private static final Logger LOG = Logger.getLogger(AdminConsent.class);

  /** Tenant segments after which the signed-in administrator decides the directory. */
  private static final Set<String> ANY_ORGANIZATION = Set.of("organizations", "common");

  static final String DECLINED = "AADSTS65004: User declined to consent to access the app.";

  /** Where the administrator's browser goes next. */
  public sealed interface Outcome permits Redirect, ErrorPage {

    /** The directory that answered, or the tenant segment when none did. */
    String directory();
  }

  /**
   * Back to the app's redirect URI.
   *
   * @param error the AADSTS code when the administrator declined; null when consent was given
   */
  public record Redirect(String location, String directory, String error) implements Outcome {}

  /** The identity platform's own error page; nothing reaches the app. */
  public record ErrorPage(int aadstsCode, String message, String directory) implements Outcome {}

  private final DirectoryRegistry directories;

  AdminConsent(DirectoryRegistry directories) {
    this.directories = directories;
  }

  /**
   * Answers an admin-consent request.
   *
   * @param loginHint the administrator who signs in, e.g. {@code admin@contoso.com}; with {@code
   *     organizations} or {@code common} its domain picks the directory (the simulator has no
   *     sign-in page)
   */
  public Outcome answer(
      String tenant, String clientId, String redirectUri, String state, String loginHint) {
    boolean anyOrganization = ANY_ORGANIZATION.contains(tenant.toLowerCase(Locale.ROOT));
    Optional<Directory> named = anyOrganization ? Optional.empty() : directories.find(tenant);
    if (!anyOrganization && named.isEmpty()) {
      return page(
          90002,
          "Tenant '"
              + tenant
              + "' not found. Check to make sure you have the correct tenant ID and are signing"
              + " into the correct cloud.",
          tenant);
    }
    String where = named.map(Directory::id).orElse(tenant);
    if (isBlank(clientId)) {
      return page(900144, missing("client_id"), where);
    }
    Optional<AppRegistration> app = directories.multiTenantApp(clientId);
    if (app.isEmpty()) {
      return page(
          700016,
          "Application with identifier '"
              + clientId
              + "' was not found in the directory '"
              + where
              + "'. This can happen if the application has not been installed by the"
              + " administrator of the tenant or consented to by any user in the tenant. You may"
              + " have sent your authentication request to the wrong tenant.",
          where);
    }
    if (isBlank(redirectUri)) {
      return page(900144, missing("redirect_uri"), where);
    }
    if (!app.get().redirectUris().contains(redirectUri)) {
      return page(
          50011,
          "The redirect URI '"
              + redirectUri
              + "' specified in the request does not match the redirect URIs configured for the"
              + " application '"
              + clientId
              + "'. Make sure the redirect URI sent in the request matches one added to your"
              + " application in the Azure portal.",
          where);
    }
    if (named.isEmpty() && isBlank(loginHint)) {
      return page(
          50059,
          "No tenant-identifying information found in either the request or implied by any"
              + " provided credentials. (The simulator has no sign-in page: pass login_hint.)",
          where);
    }
    Optional<Directory> answering = named.isPresent() ? named : byUser(loginHint);
    if (answering.isEmpty()) {
      return page(
          50034,
          "The user account "
              + loginHint
              + " does not exist in any directory. To sign into this application, the account"
              + " must be added to the directory.",
          where);
    }
    return decide(answering.get(), clientId, redirectUri, state);
  }

  private Outcome decide(Directory directory, String clientId, String redirectUri, String state) {
    StringBuilder location =
        new StringBuilder(redirectUri).append(redirectUri.contains("?") ? '&' : '?');
    String error = null;
    if (directory.decision() == ConsentDecision.APPROVE) {
      directory.grant(clientId);
      location.append("tenant=").append(encode(directory.id())).append("&admin_consent=True");
      LOG.infof("admin of directory %s consented to app %s", directory.id(), clientId);
    } else {
      error = "AADSTS65004";
      location
          .append("error=access_denied&error_subcode=cancel&error_description=")
          .append(encode(DECLINED));
      LOG.infof("admin of directory %s declined consent to app %s", directory.id(), clientId);
    }
    if (state != null) {
      location.append("&state=").append(encode(state));
    }
    return new Redirect(location.toString(), directory.id(), error);
  }

  private Optional<Directory> byUser(String loginHint) {
    String domain = loginHint.substring(loginHint.lastIndexOf('@') + 1);
    return domain.isBlank() ? Optional.empty() : directories.byDomain(domain);
  }

  private static ErrorPage page(int code, String message, String directory) {
    LOG.infof("admin consent refused for directory %s: AADSTS%d", directory, code);
    return new ErrorPage(code, message, directory);
  }

  private static String missing(String parameter) {
    return "The request body must contain the following parameter: '" + parameter + "'.";
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
