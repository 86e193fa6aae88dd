package io.backfill.fetcher.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.oidc.client.OidcClientException;
import org.junit.jupiter.api.Test;

class GraphTokensRefusalTest {

  @Test
  void appUnknownToTheDirectoryIsARefusalWithItsAadstsCode() {
    String body =
        "{\"error\":\"unauthorized_client\",\"error_description\":\"AADSTS700016: Application with"
            + " identifier 'backfill-app' was not found in the directory 'fabrikam'.\"}";

    assertThat(GraphTokens.refusal(new RuntimeException(new OidcClientException(body))))
        .hasValueSatisfying(
            refused -> {
              assertThat(refused.code()).isEqualTo("AADSTS700016");
              assertThat(refused.graphMessage()).contains("was not found in the directory");
            });
  }

  @Test
  void consentNeverGrantedIsARefusal() {
    String body =
        "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS65001: The user or"
            + " administrator has not consented to use the application.\"}";

    assertThat(GraphTokens.refusal(new OidcClientException(body)))
        .hasValueSatisfying(refused -> assertThat(refused.code()).isEqualTo("AADSTS65001"));
  }

  @Test
  void aTemporaryTokenFailureStaysRetryable() {
    String body =
        "{\"error\":\"temporarily_unavailable\",\"error_description\":\"AADSTS50196: The server"
            + " terminated an operation because it encountered a client request loop.\"}";

    assertThat(GraphTokens.refusal(new OidcClientException(body))).isEmpty();
    assertThat(GraphTokens.refusal(new IllegalStateException("connection refused"))).isEmpty();
  }
}
