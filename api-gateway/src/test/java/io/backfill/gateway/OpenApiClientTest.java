package io.backfill.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.gateway.client.ApiClient;
import io.backfill.gateway.client.ApiException;
import io.backfill.gateway.client.api.BackfillResourceApi;
import io.backfill.gateway.client.model.Accepted;
import io.backfill.gateway.client.model.BackfillStatus;
import io.backfill.gateway.client.model.SubmitBackfill;
import io.backfill.testkit.BackfillInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A Java client generated from docs/openapi.yaml by OpenAPI Generator (at generate-test-sources)
 * drives the real gateway over HTTP: the checked-in document is enough to submit, read and cancel a
 * backfill.
 */
@QuarkusTest
@WithTestResource(BackfillInfrastructure.class)
class OpenApiClientTest {

  private static final String TENANT = "tenant-openapi-client";

  @Test
  void aClientGeneratedFromTheDocumentSubmitsReadsAndCancelsABackfill() throws Exception {
    BackfillResourceApi backfills = new BackfillResourceApi(client(GatewayFixtures.keyOf(TENANT)));

    Accepted accepted =
        backfills.submitBackfill(
            new SubmitBackfill()
                .mailbox("ada@contoso.com")
                .from("2024-01-01")
                .to("2024-03-01T00:00:00Z")
                .folder("inbox"),
            "client-" + UUID.randomUUID());
    assertThat(accepted.getStatus()).isEqualTo("pending");

    BackfillStatus status = backfills.getBackfillStatus(accepted.getJobId());
    assertThat(status.getJobId()).hasToString(accepted.getJobId());
    assertThat(status.getStatus()).isEqualTo("pending");
    assertThat(status.getMailbox()).isEqualTo("ada@contoso.com");

    assertThat(backfills.cancelBackfillWithHttpInfo(accepted.getJobId()).getStatusCode())
        .isEqualTo(202);
  }

  @Test
  void theGeneratedClientSeesAnUnknownJobAsA404Problem() {
    BackfillResourceApi backfills = new BackfillResourceApi(client(GatewayFixtures.keyOf(TENANT)));

    try {
      backfills.getBackfillStatus(UUID.randomUUID().toString());
      throw new AssertionError("an unknown job was found");
    } catch (ApiException e) {
      assertThat(e.getCode()).isEqualTo(404);
      assertThat(e.getResponseHeaders().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
      assertThat(e.getResponseBody()).contains("backfill-not-found");
    }
  }

  /** The client against this test's gateway, with the key as its bearer token. */
  private static ApiClient client(String apiKey) {
    return new ApiClient()
        .setScheme("http")
        .setHost("localhost")
        .setPort(RestAssured.port)
        .setBasePath("")
        .setConnectTimeout(Duration.ofSeconds(5))
        .setReadTimeout(Duration.ofSeconds(30))
        .setRequestInterceptor(request -> request.header("Authorization", "Bearer " + apiKey));
  }
}
