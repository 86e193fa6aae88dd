package io.backfill.simulator.graph;

import static io.backfill.simulator.SimulatorFixtures.ALICE;
import static io.backfill.simulator.SimulatorFixtures.ALICE_SIZE;
import static io.backfill.simulator.SimulatorFixtures.BOB;
import static io.backfill.simulator.SimulatorFixtures.graph;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.backfill.simulator.SimulatorFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GraphMessagesTest {

  private static final String MESSAGES = "/v1.0/users/{user}/messages";
  private static final String WINDOW =
      "receivedDateTime ge 2025-06-01T00:00:00Z and receivedDateTime lt 2025-10-01T00:00:00Z";

  @AfterEach
  void reset() {
    SimulatorFixtures.resetSimulator();
  }

  @Test
  void listingWithoutATokenIs401InvalidAuthenticationToken() {
    given()
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", notNullValue())
        .body("error.code", equalTo("InvalidAuthenticationToken"))
        .body("error.message", equalTo("Access token is empty."))
        .body("error.innerError.request-id", notNullValue());
    given()
        .auth()
        .oauth2("made-up")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(401)
        .body("error.code", equalTo("InvalidAuthenticationToken"));
  }

  @Test
  void unknownMailboxIs404ErrorItemNotFound() {
    graph()
        .get(MESSAGES, "nobody@contoso.com")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("ErrorItemNotFound"));
  }

  @Test
  void anotherDirectorysMailboxIs404InvalidUserToThisDirectorysToken() {
    given()
        .contentType("application/json")
        .body(
            Map.of(
                "address", "dave@fabrikam.com", "size", 5, "seed", 3, "tenant", "fabrikam-tenant"))
        .post("/admin/mailboxes")
        .then()
        .statusCode(201);

    graph()
        .get(MESSAGES, "dave@fabrikam.com")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("ErrorInvalidUser"))
        .body("error.message", equalTo("The requested user 'dave@fabrikam.com' is invalid."));
  }

  @Test
  void quotedDateInFilterIsRejectedExactlyAsGraphRejectsIt() {
    graph()
        .queryParam("$filter", "receivedDateTime ge '2025-01-01T00:00:00Z'")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(400)
        .body("error.code", equalTo("BadRequest"))
        .body(
            "error.message",
            equalTo(
                "Invalid filter clause: A binary operator with incompatible types was detected."
                    + " Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind"
                    + " 'GreaterThanOrEqual'."));
    graph()
        .queryParam("$filter", "receivedDateTime lt '2025-01-01T00:00:00Z'")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(400)
        .body("error.message", org.hamcrest.Matchers.endsWith("operator kind 'LessThan'."));
  }

  @Test
  void orderingByAPropertyThatIsNotFirstInTheFilterIs400InefficientFilter() {
    graph()
        .queryParam("$filter", "hasAttachments eq true and " + WINDOW)
        .queryParam("$orderby", "receivedDateTime desc")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(400)
        .body("error.code", equalTo("InefficientFilter"));
    graph()
        .queryParam("$filter", WINDOW + " and hasAttachments eq true")
        .queryParam("$orderby", "receivedDateTime desc")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(200);
  }

  @Test
  void badQueryOptionsAre400WithAMessage() {
    for (String top : List.of("0", "1001", "ten")) {
      graph()
          .queryParam("$top", top)
          .get(MESSAGES, ALICE)
          .then()
          .statusCode(400)
          .body("error.code", equalTo("BadRequest"));
    }
    graph()
        .queryParam("$select", "subject,colour")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(400)
        .body("error.code", equalTo("RequestBroker--ParseUri"))
        .body(
            "error.message",
            equalTo("Could not find a property named 'colour' on type 'microsoft.graph.message'."));
    graph()
        .queryParam("$filter", "receivedDateTime ge yesterday")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(400);
    graph()
        .queryParam("$filter", "receivedDateTime ge 2025-01-01T00:00:00Z or isRead eq false")
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(400);
    graph().queryParam("$skiptoken", "garbage!").get(MESSAGES, ALICE).then().statusCode(400);
  }

  @Test
  void defaultPageIsTenNewestFirstWithHtmlBodies() {
    JsonPath page = graph().get(MESSAGES, ALICE).then().statusCode(200).extract().jsonPath();

    List<String> received = page.getList("value.receivedDateTime");
    assertThat(received).hasSize(10);
    assertThat(received).isSortedAccordingTo((a, b) -> b.compareTo(a));
    assertThat(page.getString("value[0].body.contentType")).isEqualTo("html");
    assertThat(page.getString("value[0].body.content")).startsWith("<html>");
    assertThat(page.getString("'@odata.nextLink'")).isNotNull();
  }

  @Test
  void preferTextGivesTextBodiesAndPreviewIsTheFirst255Characters() {
    JsonPath page =
        graph()
            .header("Prefer", "outlook.body-content-type=\"text\"")
            .queryParam("$top", 50)
            .get(MESSAGES, ALICE)
            .then()
            .statusCode(200)
            .header("Preference-Applied", "outlook.body-content-type=\"text\"")
            .extract()
            .jsonPath();

    List<Map<String, Object>> messages = page.getList("value");
    for (Map<String, Object> m : messages) {
      @SuppressWarnings("unchecked")
      Map<String, String> body = (Map<String, String>) m.get("body");
      String preview = (String) m.get("bodyPreview");
      assertThat(body.get("contentType")).isEqualTo("text");
      assertThat(preview).hasSizeLessThanOrEqualTo(255);
      assertThat(body.get("content").replaceAll("\\s+", " ")).startsWith(preview);
    }
    assertThat(messages).anyMatch(m -> ((String) m.get("bodyPreview")).length() == 255);
  }

  @Test
  void selectReturnsOnlyTheChosenPropertiesAndTheId() {
    Map<String, Object> first =
        graph()
            .queryParam("$select", "subject,from,receivedDateTime")
            .get(MESSAGES, ALICE)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getMap("value[0]");

    assertThat(first.keySet())
        .containsExactlyInAnyOrder("@odata.etag", "id", "subject", "from", "receivedDateTime");
  }

  @Test
  void filteredPagingOldestFirstSeesEveryMessageOfTheWindowExactlyOnce() {
    Set<String> expected = new HashSet<>();
    for (Map<String, Object> truth : groundTruth(ALICE)) {
      Instant received = Instant.parse((String) truth.get("receivedDateTime"));
      if (!received.isBefore(Instant.parse("2025-06-01T00:00:00Z"))
          && received.isBefore(Instant.parse("2025-10-01T00:00:00Z"))) {
        expected.add((String) truth.get("id"));
      }
    }

    List<String> seen =
        pageAll(
            graph()
                .queryParam("$filter", WINDOW)
                .queryParam("$orderby", "receivedDateTime asc")
                .queryParam("$top", 100)
                .queryParam("$select", "id")
                .queryParam("$count", true),
            ALICE,
            null);

    assertThat(expected).hasSizeGreaterThan(100);
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void countIsTheNumberOfMessagesInTheWindow() {
    graph()
        .queryParam("$count", true)
        .queryParam("$top", 1)
        .get(MESSAGES, ALICE)
        .then()
        .statusCode(200)
        .body("'@odata.count'", equalTo(ALICE_SIZE));
  }

  @Test
  void nextLinkIsAnAbsoluteUrlOnTheCallersBaseCarryingTheQuery() {
    String next =
        graph()
            .queryParam("$filter", WINDOW)
            .queryParam("$top", 5)
            .get(MESSAGES, ALICE)
            .then()
            .statusCode(200)
            .extract()
            .path("'@odata.nextLink'");

    URI uri = URI.create(next);
    assertThat(uri.getScheme()).isEqualTo("http");
    assertThat(uri.getHost()).isEqualTo("localhost");
    assertThat(uri.getPath()).isEqualTo("/v1.0/users/" + ALICE + "/messages");
    assertThat(uri.getQuery())
        .contains("$filter=" + WINDOW)
        .contains("$top=5")
        .contains("$skiptoken=");
  }

  @Test
  void pagingNeverSkipsOrRepeatsWhenNewMailArrivesMeanwhile() {
    List<String> before = new ArrayList<>();
    groundTruth(BOB).forEach(t -> before.add((String) t.get("id")));

    List<String> newestFirst =
        pageAll(
            graph().queryParam("$top", 40).queryParam("$select", "id"), BOB, () -> deliver(BOB, 3));
    List<String> oldestFirst =
        pageAll(
            graph()
                .queryParam("$top", 40)
                .queryParam("$select", "id")
                .queryParam("$orderby", "receivedDateTime asc"),
            BOB,
            () -> deliver(BOB, 2));

    // Newest first, the arrivals are ahead of the cursor: the pass sees the mailbox as it was.
    assertThat(newestFirst).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(before);
    // Oldest first, the arrivals are met at the end: everything once, the new mail included.
    assertThat(oldestFirst)
        .doesNotHaveDuplicates()
        .hasSize(before.size() + 3 + 2)
        .containsAll(before);
  }

  @Test
  void folderListsOnlyItsOwnMessagesAndAnUnknownFolderIs404() {
    List<String> folders =
        graph()
            .queryParam("$top", 100)
            .queryParam("$select", "parentFolderId")
            .get("/v1.0/users/{user}/mailFolders/{folder}/messages", ALICE, "SentItems")
            .then()
            .statusCode(200)
            .body("value", org.hamcrest.Matchers.not(hasSize(0)))
            .extract()
            .jsonPath()
            .getList("value.parentFolderId");
    assertThat(folders).containsOnly(MessageJson.folderId(ALICE, "sentitems"));

    graph()
        .get("/v1.0/users/{user}/mailFolders/{folder}/messages", ALICE, "nowhere")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("ErrorItemNotFound"));
  }

  @Test
  void unknownPathsAnswerInGraphsErrorShapeNotAPage() {
    given()
        .get("/v1.0/users/{user}/calendar", ALICE)
        .then()
        .statusCode(404)
        .contentType("application/json")
        .body("error.code", notNullValue())
        .body("error.message", notNullValue());
  }

  static List<Map<String, Object>> groundTruth(String user) {
    return given()
        .queryParam("limit", 100_000)
        .get("/admin/mailboxes/{user}/ground-truth", user)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("");
  }

  private static void deliver(String user, int count) {
    given()
        .contentType("application/json")
        .body(Map.of("count", count))
        .post("/admin/mailboxes/{user}/deliveries", user)
        .then()
        .statusCode(200)
        .body("delivered", equalTo(count));
  }

  /** Follows nextLink to the end; runs {@code midway} once after the first page. */
  private static List<String> pageAll(RequestSpecification first, String user, Runnable midway) {
    List<String> ids = new ArrayList<>();
    JsonPath page = first.get(MESSAGES, user).then().statusCode(200).extract().jsonPath();
    ids.addAll(page.getList("value.id"));
    if (midway != null) {
      midway.run();
    }
    String next = page.getString("'@odata.nextLink'");
    while (next != null) {
      page =
          given()
              .auth()
              .oauth2(SimulatorFixtures.token())
              .urlEncodingEnabled(false)
              .get(URI.create(next))
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      ids.addAll(page.getList("value.id"));
      next = page.getString("'@odata.nextLink'");
    }
    return ids;
  }
}
