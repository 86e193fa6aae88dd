package io.backfill.gateway.config;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses to start the gateway in the {@code prod} profile with credentials anyone could know: a
 * token or master key that ships in this repository (the dev and test profiles, compose, the
 * Kubernetes placeholders, test harnesses) or a token shorter than 32 characters. An unset token
 * stays allowed: its endpoints answer 401 as they always did. The message names the property, never
 * its value.
 */
@ApplicationScoped
public class DefaultCredentialsGuard {

  /** Shortest token accepted in production: 32 characters of a random value resist guessing. */
  static final int MIN_TOKEN_CHARS = 32;

  private static final String ADMIN_TOKEN = "backfill.gateway.admin-token";
  private static final String SERVICE_TOKEN = "backfill.gateway.service-token";
  private static final String MASTER_KEY = "backfill.gateway.secrets.master-key";
  private static final String MASTER_KEYS = "backfill.gateway.secrets.master-keys";

  /** Tokens written in this repository's profiles, compose file, manifests and tests. */
  private static final Set<String> KNOWN_TOKENS =
      Set.of(
          "change-me",
          "changeme",
          "local-admin-token",
          "local-service-token",
          "dev-admin-token",
          "dev-service-token",
          "test-admin-token",
          "test-service-token",
          "cli-test-admin-token",
          "cli-test-service-token",
          "deploy-checks-admin-token",
          "deploy-checks-service-token");

  /**
   * Master keys written in this repository: bytes 0..31 (dev, test, compose) and 32..63 (the test
   * profile's rotation key), plus the Kubernetes placeholder.
   */
  private static final List<byte[]> KNOWN_MASTER_KEYS = List.of(sequence(0), sequence(32));

  private static final Set<String> KNOWN_MASTER_KEY_TEXTS = Set.of("change-me-base64-of-32-bytes");

  private final GatewayConfig config;

  DefaultCredentialsGuard(GatewayConfig config) {
    this.config = config;
  }

  void onStart(@Observes StartupEvent event) {
    if (!ConfigUtils.isProfileActive("prod")) {
      return;
    }
    List<String> problems =
        problems(
            config.adminToken(),
            config.serviceToken(),
            config.secrets().masterKey(),
            config.secrets().masterKeys());
    if (!problems.isEmpty()) {
      // Thrown from start-up: Quarkus logs it and the process exits non-zero.
      throw new IllegalStateException("refusing to start: " + String.join("; and ", problems));
    }
  }

  /** What is wrong with the credentials, one sentence per property; empty when they may be used. */
  static List<String> problems(
      Optional<String> adminToken,
      Optional<String> serviceToken,
      Optional<String> masterKey,
      Optional<List<String>> masterKeys) {
    List<String> problems = new ArrayList<>();
    tokenProblem(ADMIN_TOKEN, adminToken).ifPresent(problems::add);
    tokenProblem(SERVICE_TOKEN, serviceToken).ifPresent(problems::add);
    if (present(adminToken) && adminToken.equals(serviceToken)) {
      problems.add(
          ADMIN_TOKEN
              + " and "
              + SERVICE_TOKEN
              + " are the same; a service would be the operator. Set two different random values");
    }
    if (present(masterKey) && knownMasterKey(masterKey.get())) {
      problems.add(masterKeyProblem(MASTER_KEY));
    }
    for (String entry : masterKeys.orElse(List.of())) {
      int colon = entry.indexOf(':');
      String id = colon < 0 ? "" : entry.substring(0, colon).trim();
      if (knownMasterKey(colon < 0 ? entry : entry.substring(colon + 1))) {
        problems.add(masterKeyProblem(MASTER_KEYS + " entry " + id));
      }
    }
    return problems;
  }

  private static Optional<String> tokenProblem(String property, Optional<String> token) {
    if (!present(token)) {
      return Optional.empty();
    }
    String value = token.get().trim();
    if (KNOWN_TOKENS.contains(value.toLowerCase(Locale.ROOT))) {
      return Optional.of(
          property
              + " is a well-known default; set a random value of at least "
              + MIN_TOKEN_CHARS
              + " characters");
    }
    if (value.length() < MIN_TOKEN_CHARS) {
      return Optional.of(
          property
              + " is shorter than "
              + MIN_TOKEN_CHARS
              + " characters; set a random value of at least "
              + MIN_TOKEN_CHARS
              + " characters");
    }
    return Optional.empty();
  }

  private static String masterKeyProblem(String property) {
    return property
        + " is a well-known default; set the base64 of 32 random bytes (openssl rand -base64 32)";
  }

  private static boolean knownMasterKey(String base64) {
    String text = base64.trim();
    if (KNOWN_MASTER_KEY_TEXTS.contains(text.toLowerCase(Locale.ROOT))) {
      return true;
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException notBase64) {
      // Not a key at all: the keyring refuses it with its own message.
      return false;
    }
    return KNOWN_MASTER_KEYS.stream().anyMatch(known -> Arrays.equals(known, key));
  }

  private static boolean present(Optional<String> value) {
    return value.isPresent() && !value.get().isBlank();
  }

  private static byte[] sequence(int first) {
    byte[] bytes = new byte[32];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (first + i);
    }
    return bytes;
  }
}
