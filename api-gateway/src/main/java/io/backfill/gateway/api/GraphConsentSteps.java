package io.backfill.gateway.api;

import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.ConsentState;
import io.backfill.gateway.domain.DirectoryConsentCheck;
import io.backfill.gateway.domain.GraphConsents;
import io.backfill.gateway.domain.SecretCipher;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The checks of an admin-consent callback, each refusing with its own problem: the state is this
 * gateway's, unexpired and unused; the operator's app is configured; and Microsoft issues the app a
 * token for the named directory. Every refusal is logged once and counted in {@code
 * backfill_gateway_graph_consent_total{outcome}}; text from the query string is shown escaped.
 */
@ApplicationScoped
public class GraphConsentSteps {

  private static final Logger LOG = Logger.getLogger(GraphConsentSteps.class);

  static final String CLIENT_ID_KEY = "backfill.gateway.graph.client-id";
  static final String CLIENT_SECRET_KEY = "backfill.gateway.graph.client-secret";

  /** Longest part of Microsoft's error description echoed back. */
  static final int MAX_DESCRIPTION_CHARS = 500;

  private final GraphConsents consents;
  private final DirectoryConsentCheck consentCheck;
  private final GatewayConfig config;
  private final MeterRegistry metrics;

  GraphConsentSteps(
      GraphConsents consents,
      DirectoryConsentCheck consentCheck,
      GatewayConfig config,
      MeterRegistry metrics) {
    this.consents = consents;
    this.consentCheck = consentCheck;
    this.config = config;
    this.metrics = metrics;
  }

  /**
   * Passes only when Microsoft issues the operator's app a token for the directory. A refusal uses
   * up the state (403); no answer gives the state back (503), so the admin may retry the redirect.
   */
  void proveConsent(ConsentState.Verified verified, String directoryId) {
    String tenantId = verified.tenantId();
    DirectoryConsentCheck.Result result =
        consentCheck.check(
            directoryId,
            config.graph().clientId().orElseThrow(),
            config.graph().clientSecret().orElseThrow());
    switch (result.verdict()) {
      case CONSENTED -> {
        // The token is discarded: its issue is the proof.
      }
      case NOT_CONSENTED -> {
        LOG.warnf(
            "consent of tenant %s refused: directory %s did not consent to the operator's app (%s)",
            tenantId, directoryId, result.reason());
        count("not_consented");
        throw new ProblemException(
            Problem.of(
                "directory-not-consented",
                "Directory not consented",
                403,
                "Microsoft refuses the operator's app a token for directory "
                    + directoryId
                    + " ("
                    + result.reason()
                    + "): no admin of that directory consented to it."));
      }
      case UNVERIFIABLE -> {
        consents.release(verified);
        LOG.warnf(
            "consent of tenant %s for directory %s not verifiable, state given back: token"
                + " endpoint %s",
            tenantId, directoryId, result.reason());
        count("unverifiable");
        throw new ProblemException(
            Problem.of(
                "consent-unverifiable",
                "Consent unverifiable",
                503,
                "Microsoft's token endpoint did not answer, so the directory's consent could not"
                    + " be checked; nothing was bound. Reload this page shortly to retry."));
      }
    }
  }

  /** The first setting of the operator's app that the consent flow needs and is missing. */
  Optional<String> missingAppSetting() {
    if (config.graph().clientId().filter(v -> !v.isBlank()).isEmpty()) {
      return Optional.of(CLIENT_ID_KEY);
    }
    if (config.graph().clientSecret().filter(v -> !v.isBlank()).isEmpty()) {
      return Optional.of(CLIENT_SECRET_KEY);
    }
    return Optional.empty();
  }

  ConsentState.Verified verified(String state, String directory) {
    try {
      return consents.verify(state);
    } catch (SecretCipher.NotConfiguredException e) {
      LOG.warnf("consent callback for directory %s refused: no master key", shown(directory));
      count("unavailable");
      throw unavailable("This gateway has no master key to verify consent states with.");
    } catch (ConsentState.RefusedException e) {
      boolean expired = e.refusal() == ConsentState.Refusal.EXPIRED;
      LOG.infof(
          "consent callback for directory %s refused: state %s", shown(directory), e.getMessage());
      count(expired ? "state_expired" : "state_invalid");
      throw new ProblemException(
          expired
              ? Problem.of(
                  "consent-state-expired",
                  "Consent state expired",
                  400,
                  "The consent link expired; ask for a new one.")
              : Problem.of(
                  "consent-state-invalid",
                  "Consent state invalid",
                  400,
                  "The state is missing, malformed or not signed by this gateway."));
    }
  }

  void consume(ConsentState.Verified verified, String directory) {
    GraphConsents.Consumption consumed = consents.consume(verified);
    if (consumed == GraphConsents.Consumption.CONSUMED) {
      return;
    }
    boolean used = consumed == GraphConsents.Consumption.ALREADY_USED;
    LOG.infof(
        "consent callback of tenant %s for directory %s refused: state %s",
        verified.tenantId(), shown(directory), used ? "already used" : "unknown");
    count(used ? "state_used" : "state_invalid");
    throw new ProblemException(
        used
            ? Problem.of(
                "consent-state-used",
                "Consent state used",
                400,
                "This consent link was used already; ask for a new one.")
            : Problem.of(
                "consent-state-invalid",
                "Consent state invalid",
                400,
                "The state is not one this gateway issued."));
  }

  void count(String outcome) {
    metrics.counter("backfill_gateway_graph_consent_total", "outcome", outcome).increment();
  }

  static ProblemException unavailable(String detail) {
    return new ProblemException(
        Problem.of("consent-unavailable", "Consent unavailable", 503, detail));
  }

  /**
   * Text from the query string as it may be shown or logged: control characters dropped, HTML
   * metacharacters escaped (the callback is opened in a browser) and cut to a bounded length.
   */
  static String shown(String value) {
    if (value == null) {
      return "(none)";
    }
    String cut =
        value.length() > MAX_DESCRIPTION_CHARS
            ? value.substring(0, MAX_DESCRIPTION_CHARS) + "…"
            : value;
    StringBuilder out = new StringBuilder(cut.length());
    for (char c : cut.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          if (!Character.isISOControl(c)) {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
