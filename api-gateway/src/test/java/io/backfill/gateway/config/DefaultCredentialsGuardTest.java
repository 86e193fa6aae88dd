package io.backfill.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DefaultCredentialsGuardTest {

  private static final String STRONG_ADMIN = "adm_5f0c2b9e41d7a8836c1e0b4f9a2d7c61";
  private static final String STRONG_SERVICE = "svc_0e7d3a9c5b1f48e2a6d4c8b0f3e9a7d5";
  private static final String STRONG_KEY = "q3Vx1m0f8Yc2Zb9Kp4Lr7Tn6Hs5Gd1Fa0We2Xu3Yi4=";
  private static final String ZERO_TO_31 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  private static final String THIRTY_TWO_TO_63 = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

  private static List<String> problems(
      String admin, String service, String masterKey, List<String> masterKeys) {
    return DefaultCredentialsGuard.problems(
        Optional.ofNullable(admin),
        Optional.ofNullable(service),
        Optional.ofNullable(masterKey),
        Optional.ofNullable(masterKeys));
  }

  @Test
  void randomLongTokensAndAFreshMasterKeyPass() {
    assertThat(problems(STRONG_ADMIN, STRONG_SERVICE, STRONG_KEY, List.of("k2:" + STRONG_KEY)))
        .isEmpty();
  }

  @Test
  void unsetCredentialsPassTheirEndpointsAnswer401Or503() {
    assertThat(problems(null, null, null, null)).isEmpty();
    assertThat(problems("", " ", "", List.of())).isEmpty();
  }

  @Test
  void everyTokenShippedInTheRepositoryIsRefusedByPropertyNameNeverByValue() {
    for (String known :
        List.of(
            "local-admin-token",
            "change-me",
            "dev-admin-token",
            "dev-service-token",
            "test-admin-token",
            "test-service-token",
            "deploy-checks-admin-token",
            "cli-test-admin-token",
            "CHANGE-ME")) {
      List<String> problems = problems(known, STRONG_SERVICE, STRONG_KEY, null);

      assertThat(problems)
          .as(known)
          .containsExactly(
              "backfill.gateway.admin-token is a well-known default; set a random value of at"
                  + " least 32 characters");
      assertThat(String.join(" ", problems)).doesNotContainIgnoringCase(known);
    }
    assertThat(problems(STRONG_ADMIN, "local-service-token", null, null))
        .containsExactly(
            "backfill.gateway.service-token is a well-known default; set a random value of at"
                + " least 32 characters");
  }

  @Test
  void aTokenShorterThan32CharactersIsRefused() {
    String thirtyOne = STRONG_ADMIN.substring(0, 31);

    assertThat(problems(thirtyOne, STRONG_SERVICE, null, null))
        .containsExactly(
            "backfill.gateway.admin-token is shorter than 32 characters; set a random value of at"
                + " least 32 characters");
    assertThat(problems(STRONG_ADMIN.substring(0, 32), STRONG_SERVICE, null, null)).isEmpty();
  }

  @Test
  void theSameTokenForAdminAndServiceIsRefused() {
    assertThat(problems(STRONG_ADMIN, STRONG_ADMIN, null, null))
        .singleElement()
        .asString()
        .startsWith("backfill.gateway.admin-token and backfill.gateway.service-token are the same")
        .doesNotContain(STRONG_ADMIN);
  }

  @Test
  void masterKeysPublishedInTheRepositoryAreRefusedInEitherProperty() {
    assertThat(problems(null, null, ZERO_TO_31, null))
        .containsExactly(
            "backfill.gateway.secrets.master-key is a well-known default; set the base64 of 32"
                + " random bytes (openssl rand -base64 32)");
    assertThat(problems(null, null, "change-me-base64-of-32-bytes", null)).hasSize(1);
    assertThat(
            problems(null, null, STRONG_KEY, List.of("k3:" + STRONG_KEY, "k2:" + THIRTY_TWO_TO_63)))
        .containsExactly(
            "backfill.gateway.secrets.master-keys entry k2 is a well-known default; set the base64"
                + " of 32 random bytes (openssl rand -base64 32)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThat(problems("test-admin-token", "short", ZERO_TO_31, List.of("k2:" + THIRTY_TWO_TO_63)))
        .hasSize(4);
  }
}
