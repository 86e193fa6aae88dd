package io.backfill.gateway.api;

import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.ConsentState;
import io.backfill.gateway.domain.DirectoryConsentCheck;
import io.backfill.gateway.domain.GraphConsents;
import io.backfill.gateway.domain.GraphDirectories;
import io.backfill.gateway.domain.SecretCipher;
import io.backfill.gateway.domain.Tenants;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * Binding a tenant to its Microsoft Entra directory by admin consent. The tenant asks for a consent
 * URL; its Entra admin opens it, consents to the operator's app, and Microsoft redirects the
 * admin's browser to the callback with the directory id and the signed, single-use state, which
 * names the Backfill tenant. Nobody signs that directory id, so before binding it the callback
 * proves the directory consented to the operator's app ({@link DirectoryConsentCheck}). Every
 * callback outcome is logged once and counted in {@code
 * backfill_gateway_graph_consent_total{outcome}}. See
 * docs/decisions/0028-gateway-graph-consent-and-internal-port.md.
 */
@Tag(name = ApiTags.GRAPH)
@Path("/api/v1/graph/consent")
@Produces(MediaType.APPLICATION_JSON)
public class GraphConsentResource {

  /** Called by the admin's browser without an API key; the state authenticates it. */
  static final String CALLBACK_PATH = "/api/v1/graph/consent/callback";

  private static final Logger LOG = Logger.getLogger(GraphConsentResource.class);

  private static final String REDIRECT_KEY = "backfill.gateway.graph.consent-redirect-uri";

  /** Longest login hint passed on (an e-mail address is at most 320 characters). */
  static final int MAX_LOGIN_HINT_CHARS = 320;

  /** Where to send the tenant's admin. */
  @Schema(name = "GraphConsentLink")
  public record ConsentLink(String consentUrl, String state, Instant expiresAt) {}

  /** The callback's answer: the directory now bound. */
  @Schema(name = "GraphConsentBound")
  public record Bound(String status, String directoryId, String boundVia, Instant boundAt) {}

  private final Caller caller;
  private final GraphConsents consents;
  private final GraphDirectories directories;
  private final Tenants tenants;
  private final GraphConsentSteps steps;
  private final GatewayConfig config;

  GraphConsentResource(
      Caller caller,
      GraphConsents consents,
      GraphDirectories directories,
      Tenants tenants,
      GraphConsentSteps steps,
      GatewayConfig config) {
    this.caller = caller;
    this.consents = consents;
    this.directories = directories;
    this.tenants = tenants;
    this.steps = steps;
    this.config = config;
  }

  @GET
  @SecurityRequirement(name = GatewayOpenApi.TENANT_API_KEY)
  @Operation(
      operationId = "getGraphConsentUrl",
      summary = "An admin-consent URL for the caller's Entra directory",
      description =
          "The tenant's Entra admin opens consentUrl and consents to the operator's app; Microsoft"
              + " then redirects to the callback, which binds the directory. The state is signed,"
              + " expires at expiresAt and is used once. Optional loginHint is passed on as"
              + " login_hint.")
  @APIResponse(
      responseCode = "200",
      description = "The URL",
      content = @Content(schema = @Schema(implementation = ConsentLink.class)))
  @APIResponse(
      responseCode = "503",
      description =
          "The operator's app (id and secret) or redirect URI (or a master key) is not configured")
  public ConsentLink consentUrl(@QueryParam("loginHint") String loginHint) {
    String tenantId = caller.tenantId();
    if (loginHint != null && (loginHint.isBlank() || loginHint.length() > MAX_LOGIN_HINT_CHARS)) {
      throw new ProblemException(
          Problem.invalid(
              "invalid-login-hint",
              "The login hint is invalid.",
              List.of(
                  new Problem.FieldError(
                      "loginHint", "1 to " + MAX_LOGIN_HINT_CHARS + " characters"))));
    }
    Optional<String> clientId = config.graph().clientId().filter(v -> !v.isBlank());
    Optional<String> redirect = config.graph().consentRedirectUri().filter(v -> !v.isBlank());
    Optional<String> missing =
        steps
            .missingAppSetting()
            .or(() -> redirect.isEmpty() ? Optional.of(REDIRECT_KEY) : Optional.empty());
    if (missing.isPresent()) {
      LOG.warnf(
          "refused a consent URL to tenant %s: %s is not configured", tenantId, missing.get());
      steps.count("unavailable");
      throw GraphConsentSteps.unavailable("This gateway has no " + missing.get() + " configured.");
    }
    GraphConsents.Issued issued;
    try {
      issued = consents.issue(tenantId, config.graph().consentStateTtl());
    } catch (SecretCipher.NotConfiguredException e) {
      LOG.warnf("refused a consent URL to tenant %s: no master key to sign with", tenantId);
      steps.count("unavailable");
      throw GraphConsentSteps.unavailable(
          "This gateway has no master key to sign consent states with.");
    }
    StringBuilder url =
        new StringBuilder(stripTrailingSlash(config.graph().loginUrl()))
            .append("/organizations/adminconsent?client_id=")
            .append(encode(clientId.get()))
            .append("&state=")
            .append(encode(issued.state()))
            .append("&redirect_uri=")
            .append(encode(redirect.get()));
    if (loginHint != null) {
      url.append("&login_hint=").append(encode(loginHint));
    }
    LOG.infof("issued a consent state to tenant %s, expiring %s", tenantId, issued.expiresAt());
    steps.count("issued");
    return new ConsentLink(url.toString(), issued.state(), issued.expiresAt());
  }

  @GET
  @Path("/callback")
  @Operation(
      operationId = "completeGraphConsent",
      summary = "Where Microsoft redirects the admin after consent (no API key)",
      description =
          "?tenant=<directory id>&admin_consent=True&state=… binds the directory to the tenant"
              + " named in the state; ?error=…&error_description=…&state=… consumes the state and"
              + " binds nothing.")
  @APIResponse(
      responseCode = "200",
      description = "Bound",
      content = @Content(schema = @Schema(implementation = Bound.class)))
  @APIResponse(
      responseCode = "400",
      description =
          "consent-state-invalid, consent-state-expired, consent-state-used or"
              + " consent-callback-invalid")
  @APIResponse(
      responseCode = "403",
      description =
          "consent-denied (the admin declined), directory-not-consented (Microsoft refuses the"
              + " operator's app a token for the directory) or tenant-suspended")
  @APIResponse(
      responseCode = "409",
      description = "directory-already-bound: the directory belongs to another tenant")
  @APIResponse(
      responseCode = "503",
      description =
          "consent-unverifiable (Microsoft's token endpoint did not answer; the same redirect may"
              + " be retried) or consent-unavailable (not configured)")
  public Bound callback(
      @QueryParam("tenant") String directory,
      @QueryParam("admin_consent") String adminConsent,
      @QueryParam("state") String state,
      @QueryParam("error") String error,
      @QueryParam("error_description") String errorDescription) {
    ConsentState.Verified verified = steps.verified(state, directory);
    String tenantId = verified.tenantId();
    if (error != null) {
      steps.consume(verified, directory);
      String description =
          GraphConsentSteps.shown(errorDescription == null ? error : errorDescription);
      LOG.infof(
          "consent of tenant %s declined (directory %s): %s",
          tenantId, GraphConsentSteps.shown(directory), error);
      steps.count("denied");
      throw new ProblemException(
          Problem.of(
              "consent-denied",
              "Consent denied",
              403,
              "The directory admin did not consent: " + description));
    }
    Optional<String> directoryId = GraphDirectories.normalise(directory);
    if (directoryId.isEmpty() || !"true".equalsIgnoreCase(adminConsent)) {
      LOG.infof(
          "consent callback of tenant %s refused: directory %s, admin_consent %s",
          tenantId, GraphConsentSteps.shown(directory), GraphConsentSteps.shown(adminConsent));
      steps.count("callback_invalid");
      throw new ProblemException(
          Problem.invalid(
              "consent-callback-invalid",
              "The callback does not carry a consented directory.",
              List.of(
                  new Problem.FieldError(
                      directoryId.isEmpty() ? "tenant" : "admin_consent",
                      directoryId.isEmpty()
                          ? "a directory id (GUID or domain, at most 64 characters)"
                          : "must be True"))));
    }
    Optional<String> missing = steps.missingAppSetting();
    if (missing.isPresent()) {
      LOG.warnf(
          "consent callback of tenant %s for directory %s refused: %s is not configured",
          tenantId, directoryId.get(), missing.get());
      steps.count("unavailable");
      throw GraphConsentSteps.unavailable("This gateway has no " + missing.get() + " configured.");
    }
    steps.consume(verified, directoryId.get());
    if (tenants.status(tenantId).orElse(Tenants.Status.SUSPENDED) != Tenants.Status.ACTIVE) {
      LOG.infof(
          "consent of tenant %s for directory %s refused: suspended", tenantId, directoryId.get());
      steps.count("tenant_suspended");
      throw BearerAuthFilter.tenantSuspended(tenantId);
    }
    steps.proveConsent(verified, directoryId.get());
    if (directories.bind(tenantId, directoryId.get(), GraphDirectories.Via.CONSENT)
        == GraphDirectories.Outcome.TAKEN) {
      LOG.warnf(
          "consent of tenant %s refused: directory %s is bound to another tenant",
          tenantId, directoryId.get());
      steps.count("directory_taken");
      throw new ProblemException(
          Problem.of(
              "directory-already-bound",
              "Directory already bound",
              409,
              "Directory "
                  + directoryId.get()
                  + " is bound to another Backfill tenant; the operator can release it."));
    }
    GraphDirectories.Binding binding = directories.find(tenantId).orElseThrow();
    LOG.infof("bound directory %s to tenant %s by admin consent", directoryId.get(), tenantId);
    steps.count("bound");
    return new Bound("bound", binding.directoryId(), binding.boundVia(), binding.boundAt());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
