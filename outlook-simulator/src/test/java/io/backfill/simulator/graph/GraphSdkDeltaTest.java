package io.backfill.simulator.graph;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.mailfolders.item.messages.delta.DeltaGetResponse;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.serialization.UntypedObject;
import com.microsoft.kiota.serialization.UntypedString;
import io.backfill.simulator.SimulatorFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The official Microsoft Graph Java SDK's delta support against the simulator: a first round lists
 * a folder, a round from its delta link returns exactly what changed since (new, updated, moved
 * away, deleted), the moved message turns up with a new id in its destination's delta.
 */
@QuarkusTest
class GraphSdkDeltaTest {

  @TestHTTPResource("/")
  URL base;

  @AfterEach
  void reset() {
    SimulatorFixtures.resetSimulator();
  }

  /** One delta round: every page's items, and the delta link of its last page. */
  record Round(List<Message> items, String deltaLink, int pages) {
    Map<String, Message> byId() {
      Map<String, Message> map = new HashMap<>();
      items.forEach(m -> map.put(m.getId(), m));
      return map;
    }

    List<Message> removed() {
      return items.stream().filter(m -> m.getAdditionalData().containsKey("@removed")).toList();
    }

    List<Message> present() {
      return items.stream().filter(m -> !m.getAdditionalData().containsKey("@removed")).toList();
    }
  }

  @Test
  void aRoundFromTheDeltaLinkReturnsExactlyTheChangesSinceTheFirstRound() {
    String user = freshMailbox("delta-changes@contoso.com", 120, 21);
    GraphServiceClient graph = client();
    Round inbox1 = round(graph, user, "inbox", null, 25);
    Round archive1 = round(graph, user, "archive", null, 25);

    Set<String> inboxTruth = truthIds(user, "inbox");
    assertThat(inbox1.items()).extracting(Message::getId).doesNotHaveDuplicates();
    assertThat(inbox1.items())
        .extracting(Message::getId)
        .containsExactlyInAnyOrderElementsOf(inboxTruth);
    assertThat(inbox1.pages()).isEqualTo((inboxTruth.size() + 24) / 25);
    assertThat(inbox1.removed()).isEmpty();

    List<String> inboxIds = new ArrayList<>(inboxTruth);
    String updated = inboxIds.get(0);
    String moved = inboxIds.get(1);
    String deleted = inboxIds.get(2);
    List<String> delivered = deliver(user, 2);
    Map<String, Object> change =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("subject", "Changed subject", "categories", List.of("Red category")))
            .patch("/admin/mailboxes/{user}/messages/{id}", user, updated)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getMap("");
    Map<String, Object> move =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("destination", "archive"))
            .post("/admin/mailboxes/{user}/messages/{id}/move", user, moved)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getMap("");
    given().delete("/admin/mailboxes/{user}/messages/{id}", user, deleted).then().statusCode(204);

    Round inbox2 = round(graph, user, "inbox", inbox1.deltaLink(), 25);
    assertThat(inbox2.present())
        .extracting(Message::getId)
        .containsExactlyInAnyOrder(delivered.get(0), delivered.get(1), updated);
    Message changed = inbox2.byId().get(updated);
    assertThat(changed.getSubject()).isEqualTo("Changed subject");
    assertThat(changed.getCategories()).containsExactly("Red category");
    assertThat(changed.getChangeKey())
        .isEqualTo(change.get("changeKey"))
        .isNotEqualTo(inbox1.byId().get(updated).getChangeKey());
    assertThat(changed.getLastModifiedDateTime())
        .isAfter(inbox1.byId().get(updated).getLastModifiedDateTime());
    assertThat(inbox2.removed())
        .extracting(Message::getId)
        .containsExactlyInAnyOrder(moved, deleted);
    assertThat(inbox2.removed()).allSatisfy(m -> assertThat(removalReason(m)).isEqualTo("deleted"));

    String newId = (String) move.get("id");
    assertThat(newId).isNotEqualTo(moved);
    Round archive2 = round(graph, user, "archive", archive1.deltaLink(), 25);
    assertThat(archive2.items()).extracting(Message::getId).containsExactly(newId);
    assertThat(archive2.items().get(0).getParentFolderId()).isEqualTo(move.get("folder"));

    Round inbox3 = round(graph, user, "inbox", inbox2.deltaLink(), 25);
    assertThat(inbox3.items()).isEmpty();
  }

  @Test
  void maxPageSizeCutsTheRoundIntoPagesAndIsReportedAsApplied() {
    String user = freshMailbox("delta-pages@contoso.com", 60, 22);
    int inbox = truthIds(user, "inbox").size();

    given()
        .auth()
        .oauth2(SimulatorFixtures.token())
        .header("Prefer", "odata.maxpagesize=7")
        .get("/v1.0/users/{user}/mailFolders/inbox/messages/delta", user)
        .then()
        .statusCode(200)
        .header("Preference-Applied", "odata.maxpagesize=7")
        .body("value.size()", org.hamcrest.Matchers.equalTo(7))
        .body("'@odata.nextLink'", org.hamcrest.Matchers.containsString("%24skiptoken="));
    Round round = round(client(), user, "inbox", null, 7);
    assertThat(round.pages()).isEqualTo((inbox + 6) / 7);
    assertThat(round.items()).hasSize(inbox);
  }

  @Test
  void filterOtherThanReceivedDateTimeFromIsRefusedAsGraphDoes() {
    String user = freshMailbox("delta-filter@contoso.com", 20, 23);
    GraphServiceClient graph = client();

    assertThatThrownBy(
            () ->
                graph
                    .users()
                    .byUserId(user)
                    .mailFolders()
                    .byMailFolderId("inbox")
                    .messages()
                    .delta()
                    .get(
                        r -> r.queryParameters.filter = "receivedDateTime lt 2025-06-01T00:00:00Z"))
        .isInstanceOfSatisfying(
            ODataError.class, e -> assertThat(e.getResponseStatusCode()).isEqualTo(400));
    assertThatThrownBy(
            () ->
                graph
                    .users()
                    .byUserId(user)
                    .mailFolders()
                    .byMailFolderId("inbox")
                    .messages()
                    .delta()
                    .get(r -> r.queryParameters.orderby = new String[] {"receivedDateTime desc"}))
        .isInstanceOfSatisfying(
            ODataError.class, e -> assertThat(e.getResponseStatusCode()).isEqualTo(400));
  }

  @Test
  void aDeltaLinkIssuedBeforeAnExpiryIsGoneAndAFreshRoundWorks() {
    String user = freshMailbox("delta-expiry@contoso.com", 30, 24);
    GraphServiceClient graph = client();
    Round first = round(graph, user, "inbox", null, 10);

    given().post("/admin/mailboxes/{user}/delta-tokens/expiry", user).then().statusCode(204);

    assertThatThrownBy(() -> round(graph, user, "inbox", first.deltaLink(), 10))
        .isInstanceOfSatisfying(
            ODataError.class,
            e -> {
              assertThat(e.getResponseStatusCode()).isEqualTo(410);
              assertThat(e.getError().getCode()).isEqualTo("SyncStateNotFound");
            });
    Round fresh = round(graph, user, "inbox", null, 10);
    assertThat(fresh.items()).hasSize(first.items().size());
    assertThat(round(graph, user, "inbox", fresh.deltaLink(), 10).items()).isEmpty();
  }

  @Test
  void deltaCallsCountAgainstTheMailboxRequestLimitAndMeetThrottleFaults() {
    String user = freshMailbox("delta-throttle@contoso.com", 20, 25);
    given()
        .contentType(ContentType.JSON)
        .body("{\"maxConcurrentPerMailbox\":4,\"requestsPerTenMinutes\":1,\"topDaysBudget\":50000}")
        .put("/admin/graph/limits")
        .then()
        .statusCode(200);
    String token = SimulatorFixtures.token();

    given()
        .auth()
        .oauth2(token)
        .get("/v1.0/users/{user}/mailFolders/inbox/messages/delta", user)
        .then()
        .statusCode(200);
    given()
        .auth()
        .oauth2(token)
        .get("/v1.0/users/{user}/mailFolders/inbox/messages/delta", user)
        .then()
        .statusCode(429)
        .header("Retry-After", org.hamcrest.Matchers.notNullValue())
        .body("error.code", org.hamcrest.Matchers.equalTo("ApplicationThrottled"));

    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"maxConcurrentPerMailbox\":4,\"requestsPerTenMinutes\":10000,\"topDaysBudget\":50000}")
        .put("/admin/graph/limits")
        .then()
        .statusCode(200);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("target", user, "kind", "throttle", "retryAfterSeconds", 7, "times", 1))
        .post("/admin/faults")
        .then()
        .statusCode(201);
    given()
        .auth()
        .oauth2(token)
        .get("/v1.0/users/{user}/mailFolders/delta", user)
        .then()
        .statusCode(429)
        .header("Retry-After", "7")
        .body("error.code", org.hamcrest.Matchers.equalTo("TooManyRequests"));

    List<Map<String, Object>> counters =
        given().get("/admin/counters").then().extract().jsonPath().getList("");
    assertThat(counters)
        .anySatisfy(
            c -> {
              assertThat(c.get("endpoint")).isEqualTo("messages.delta");
              assertThat(c.get("target")).isEqualTo(user);
              assertThat(c.get("status")).isEqualTo("429");
            });
  }

  @Test
  void folderDeltaListsEveryFolderThenOnlyThoseWhoseMailChanged() {
    String user = freshMailbox("delta-folders@contoso.com", 30, 26);
    String token = SimulatorFixtures.token();
    io.restassured.path.json.JsonPath first =
        given()
            .auth()
            .oauth2(token)
            .get("/v1.0/users/{user}/mailFolders/delta", user)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(first.getList("value.displayName"))
        .contains("Inbox", "Sent Items", "Archive", "Deleted Items");
    List<Map<String, Object>> folders =
        given()
            .get("/admin/mailboxes/{user}/folders", user)
            .then()
            .extract()
            .jsonPath()
            .getList("");
    assertThat(first.getList("value.id"))
        .containsExactlyInAnyOrderElementsOf(
            folders.stream().map(f -> (String) f.get("id")).collect(Collectors.toList()));

    deliver(user, 1);
    String deltaLink = first.getString("'@odata.deltaLink'");
    given()
        .auth()
        .oauth2(token)
        .urlEncodingEnabled(false)
        .get(deltaLink)
        .then()
        .statusCode(200)
        .body("value.displayName", org.hamcrest.Matchers.contains("Inbox"));
  }

  // --- helpers

  /** The reason of an {@code @removed} item, as the SDK keeps it (an untyped object). */
  private static String removalReason(Message m) {
    UntypedObject removed = (UntypedObject) m.getAdditionalData().get("@removed");
    return ((UntypedString) removed.getValue().get("reason")).getValue();
  }

  private Round round(
      GraphServiceClient graph, String user, String folder, String deltaLink, int pageSize) {
    var builder =
        graph.users().byUserId(user).mailFolders().byMailFolderId(folder).messages().delta();
    DeltaGetResponse page =
        deltaLink == null
            ? builder.get(r -> r.headers.add("Prefer", "odata.maxpagesize=" + pageSize))
            : builder
                .withUrl(deltaLink)
                .get(r -> r.headers.add("Prefer", "odata.maxpagesize=" + pageSize));
    List<Message> items = new ArrayList<>(page.getValue());
    int pages = 1;
    while (page.getOdataNextLink() != null) {
      page =
          builder
              .withUrl(page.getOdataNextLink())
              .get(r -> r.headers.add("Prefer", "odata.maxpagesize=" + pageSize));
      items.addAll(page.getValue());
      pages++;
    }
    assertThat(page.getOdataDeltaLink()).contains("%24deltatoken=");
    return new Round(items, page.getOdataDeltaLink(), pages);
  }

  static String freshMailbox(String address, int size, long seed) {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("address", address, "size", size, "seed", seed))
        .post("/admin/mailboxes")
        .then()
        .statusCode(201);
    return address;
  }

  static Set<String> truthIds(String user, String folder) {
    List<Map<String, Object>> truth =
        given()
            .queryParam("limit", 100_000)
            .get("/admin/mailboxes/{user}/ground-truth", user)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("");
    return truth.stream()
        .filter(t -> folder.equals(t.get("folder")))
        .map(t -> (String) t.get("id"))
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }

  static List<String> deliver(String user, int count) {
    return given()
        .contentType(ContentType.JSON)
        .body(Map.of("count", count))
        .post("/admin/mailboxes/{user}/deliveries", user)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("ids");
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
