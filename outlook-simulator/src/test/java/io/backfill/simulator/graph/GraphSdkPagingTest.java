package io.backfill.simulator.graph;

import static io.backfill.simulator.SimulatorFixtures.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.graph.core.tasks.PageIterator;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.MessageCollectionResponse;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import io.backfill.simulator.SimulatorFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The official Microsoft Graph Java SDK, unmodified, pointed at the simulator by base URL: its page
 * iterator over a filtered request sees every message of the window exactly once.
 */
@QuarkusTest
class GraphSdkPagingTest {

  private static final Instant FROM = Instant.parse("2025-03-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2025-07-01T00:00:00Z");

  @TestHTTPResource("/")
  URL base;

  @Test
  void pageIteratorOverAFilteredRequestSeesEveryMessageOfTheWindowExactlyOnce() throws Exception {
    GraphServiceClient graph = client();
    List<Message> seen = new ArrayList<>();

    MessageCollectionResponse first =
        graph
            .users()
            .byUserId(ALICE)
            .messages()
            .get(
                request -> {
                  request.queryParameters.filter =
                      "receivedDateTime ge " + FROM + " and receivedDateTime lt " + TO;
                  request.queryParameters.orderby = new String[] {"receivedDateTime desc"};
                  request.queryParameters.top = 100;
                  request.queryParameters.select =
                      new String[] {"id", "subject", "from", "receivedDateTime", "body"};
                  request.headers.add("Prefer", "outlook.body-content-type=\"text\"");
                });
    new PageIterator.Builder<Message, MessageCollectionResponse>()
        .client(graph)
        .collectionPage(first)
        .collectionPageFactory(MessageCollectionResponse::createFromDiscriminatorValue)
        .requestConfigurator(
            request -> {
              request.headers.add("Prefer", "outlook.body-content-type=\"text\"");
              return request;
            })
        .processPageItemCallback(seen::add)
        .build()
        .iterate();

    Set<String> expected = new HashSet<>();
    for (Map<String, Object> truth : GraphMessagesTest.groundTruth(ALICE)) {
      Instant received = Instant.parse((String) truth.get("receivedDateTime"));
      if (!received.isBefore(FROM) && received.isBefore(TO)) {
        expected.add((String) truth.get("id"));
      }
    }
    assertThat(expected).hasSizeGreaterThan(100);
    assertThat(seen)
        .extracting(Message::getId)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(seen)
        .allSatisfy(m -> assertThat(m.getBody().getContentType()).isEqualTo(BodyType.Text));
    assertThat(seen)
        .allSatisfy(m -> assertThat(m.getFrom().getEmailAddress().getAddress()).contains("@"));
  }

  @Test
  void sdkSurfacesGraphsQuotedDateErrorAsAnODataError() {
    GraphServiceClient graph = client();

    assertThatThrownBy(
            () ->
                graph
                    .users()
                    .byUserId(ALICE)
                    .messages()
                    .get(
                        request ->
                            request.queryParameters.filter =
                                "receivedDateTime ge '2025-01-01T00:00:00Z'"))
        .isInstanceOfSatisfying(
            ODataError.class,
            e -> {
              assertThat(e.getResponseStatusCode()).isEqualTo(400);
              assertThat(e.getError().getCode()).isEqualTo("BadRequest");
              assertThat(e.getError().getMessage())
                  .contains("'Edm.DateTimeOffset' and 'Edm.String'");
            });
  }

  private GraphServiceClient client() {
    String token = SimulatorFixtures.token();
    AccessTokenProvider tokens =
        new AccessTokenProvider() {
          @Override
          public String getAuthorizationToken(URI uri, Map<String, Object> context) {
            return token;
          }

          @Override
          public AllowedHostsValidator getAllowedHostsValidator() {
            return new AllowedHostsValidator(base.getHost());
          }
        };
    GraphServiceClient graph =
        new GraphServiceClient(new BaseBearerTokenAuthenticationProvider(tokens));
    graph.getRequestAdapter().setBaseUrl(base.toString() + "v1.0");
    return graph;
  }
}
