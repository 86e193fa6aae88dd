package io.backfill.simulator.graph;

import static io.backfill.simulator.graph.GraphSdkDeltaTest.deliver;
import static io.backfill.simulator.graph.GraphSdkDeltaTest.freshMailbox;
import static io.backfill.simulator.graph.GraphSdkDeltaTest.truthIds;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.backfill.simulator.SimulatorFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Mail changed through the admin API: delta rounds never lose a change made while a round is paged,
 * the regular message lists and the ground truth follow every change, and unknown messages or
 * folders are 404.
 */
@QuarkusTest
class MailChangesTest {

  private static final String DELTA = "/v1.0/users/{user}/mailFolders/{folder}/messages/delta";

  @Test
  void changesMadeWhileARoundIsPagedShowUpInTheNextRound() {
    String user = freshMailbox("mid-round@contoso.com", 80, 31);
    List<String> inbox = new ArrayList<>(truthIds(user, "inbox"));
    String token = SimulatorFixtures.token();
    String early = inbox.get(1);
    String late = inbox.get(inbox.size() - 1);
    String doomed = inbox.get(inbox.size() - 2);

    JsonPath first = page(token, null, user);
    List<String> round1 = new ArrayList<>(first.getList("value.id"));
    assertThat(round1).contains(early);
    // Meanwhile: a listed message and one not yet listed change, one is deleted, mail arrives.
    patch(user, early, Map.of("subject", "changed after it was listed"));
    patch(user, late, Map.of("subject", "changed before it was listed"));
    given().delete("/admin/mailboxes/{user}/messages/{id}", user, doomed).then().statusCode(204);
    List<String> arrived = deliver(user, 1);
    JsonPath last = first;
    while (last.getString("'@odata.nextLink'") != null) {
      last = page(token, last.getString("'@odata.nextLink'"), user);
      round1.addAll(last.getList("value.id"));
    }
    assertThat(round1).doesNotHaveDuplicates().doesNotContain(late, doomed, arrived.get(0));

    JsonPath round2 = page(token, last.getString("'@odata.deltaLink'"), user);
    List<Map<String, Object>> values = round2.getList("value");
    assertThat(values)
        .extracting(v -> v.get("id"))
        .containsExactlyInAnyOrder(early, late, arrived.get(0), doomed);
    assertThat(values)
        .filteredOn(v -> doomed.equals(v.get("id")))
        .singleElement()
        .satisfies(v -> assertThat(v).containsKey("@removed"));
    assertThat(round2.getString("'@odata.deltaLink'")).isNotNull();
  }

  @Test
  void theMessageListsAndTheGroundTruthFollowEveryChange() {
    String user = freshMailbox("lists-follow@contoso.com", 60, 32);
    List<String> inbox = new ArrayList<>(truthIds(user, "inbox"));
    String deleted = inbox.get(0);
    String moved = inbox.get(1);
    String updated = inbox.get(2);
    // Inside the generated year, so listing with $top=100 stays within Graph's $top × days budget.
    List<String> arrived =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("count", 1, "receivedAt", "2025-12-31T12:00:00Z"))
            .post("/admin/mailboxes/{user}/deliveries", user)
            .then()
            .statusCode(200)
            .extract()
            .path("ids");
    given().delete("/admin/mailboxes/{user}/messages/{id}", user, deleted).then().statusCode(204);
    String newId =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("destination", "archive"))
            .post("/admin/mailboxes/{user}/messages/{id}/move", user, moved)
            .then()
            .statusCode(200)
            .extract()
            .path("id");
    patch(user, updated, Map.of("body", "Hi,\n\nplease ask Zoë Müller and Omar Chen.\n"));

    List<String> inboxNow = listAll(user, "inbox");
    List<String> archiveNow = listAll(user, "archive");
    assertThat(inboxNow).contains(arrived.get(0), updated).doesNotContain(deleted, moved);
    assertThat(archiveNow).contains(newId).doesNotContain(moved);

    assertThat(truthIds(user, "inbox")).containsExactlyInAnyOrderElementsOf(inboxNow);
    given()
        .get("/admin/mailboxes/{user}/messages/{id}/ground-truth", user, newId)
        .then()
        .statusCode(200)
        .body("folder", equalTo("archive"))
        .body("folderId", equalTo(MessageJson.folderId(user, "archive")));
    given()
        .get("/admin/mailboxes/{user}/messages/{id}/ground-truth", user, deleted)
        .then()
        .statusCode(404);
    JsonPath truth =
        given()
            .get("/admin/mailboxes/{user}/messages/{id}/ground-truth", user, updated)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    List<String> names = truth.getList("groundTruth.entities.name");
    // The header people stay; name-bank names in the new text are found.
    assertThat(names).contains("Zoë Müller", "Omar Chen");
    String sender =
        given()
            .auth()
            .oauth2(SimulatorFixtures.token())
            .get("/v1.0/users/{user}/mailFolders/inbox/messages?$top=100&$select=from", user)
            .then()
            .extract()
            .jsonPath()
            .getString("value.find { it.id == '" + updated + "' }.from.emailAddress.name");
    assertThat(names).contains(sender);
    assertThat(truth.getString("changeKey")).isNotBlank();
  }

  @Test
  void theLlmAnswersAboutChangedMailThatNamesSomeoneKnownByNameOnly() {
    String user = freshMailbox("llm-after-change@contoso.com", 20, 36);
    String id = truthIds(user, "inbox").iterator().next();
    patch(user, id, Map.of("body", "Hi,\n\nYusuf Öztürk will present.\n"));

    given()
        .auth()
        .oauth2(SimulatorFixtures.API_KEY)
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "model",
                "gpt-4o-mini",
                "messages",
                List.of(Map.of("role", "user", "content", "Hi,\n\nYusuf Öztürk will present.\n"))))
        .post("/v1/chat/completions")
        .then()
        .statusCode(200);
  }

  @Test
  void unknownMessagesAndFoldersAreNotFound() {
    String user = freshMailbox("not-found@contoso.com", 10, 33);
    String some = truthIds(user, "inbox").iterator().next();

    patchExpect(user, "AAMknope", Map.of("subject", "x"), 404);
    given()
        .delete("/admin/mailboxes/{user}/messages/{id}", user, "AAMknope")
        .then()
        .statusCode(404);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("destination", "nowhere"))
        .post("/admin/mailboxes/{user}/messages/{id}/move", user, some)
        .then()
        .statusCode(404)
        .body("error.code", equalTo("ErrorItemNotFound"));
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("count", 1, "folder", "nowhere"))
        .post("/admin/mailboxes/{user}/deliveries", user)
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(SimulatorFixtures.token())
        .get(DELTA, user, "nowhere")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("ErrorItemNotFound"));
  }

  @Test
  void deliveriesLandInTheGivenFolderAtTheGivenTime() {
    String user = freshMailbox("deliver-to@contoso.com", 10, 34);
    String archiveId = MessageJson.folderId(user, "archive");
    List<String> ids =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("count", 2, "folder", archiveId, "receivedAt", "2025-12-24T18:00:00Z"))
            .post("/admin/mailboxes/{user}/deliveries", user)
            .then()
            .statusCode(200)
            .extract()
            .path("ids");

    for (String id : ids) {
      given()
          .get("/admin/mailboxes/{user}/messages/{id}/ground-truth", user, id)
          .then()
          .statusCode(200)
          .body("folder", equalTo("archive"))
          .body("receivedDateTime", equalTo("2025-12-24T18:00:00Z"));
    }
  }

  @Test
  void aGarbageTokenIsABadRequestAndAnotherFoldersTokenIsInvalidHere() {
    String user = freshMailbox("garbage@contoso.com", 10, 35);
    String token = SimulatorFixtures.token();
    given()
        .auth()
        .oauth2(token)
        .queryParam("$deltatoken", "not-a-token")
        .get(DELTA, user, "inbox")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("SyncStateInvalid"));
    String archiveLink =
        given()
            .auth()
            .oauth2(token)
            .get(DELTA, user, "archive")
            .then()
            .statusCode(200)
            .extract()
            .path("'@odata.deltaLink'");
    String deltaToken = URI.create(archiveLink).getRawQuery().substring("%24deltatoken=".length());
    given()
        .auth()
        .oauth2(token)
        .urlEncodingEnabled(false)
        .get(
            DELTA.replace("{user}", user).replace("{folder}", "inbox")
                + "?%24deltatoken="
                + deltaToken)
        .then()
        .statusCode(400)
        .body("error.code", equalTo("SyncStateInvalid"));
  }

  private static JsonPath page(String token, String link, String user) {
    if (link == null) {
      return given()
          .auth()
          .oauth2(token)
          .header("Prefer", "odata.maxpagesize=5")
          .get(DELTA, user, "inbox")
          .then()
          .statusCode(200)
          .extract()
          .jsonPath();
    }
    return given()
        .auth()
        .oauth2(token)
        .header("Prefer", "odata.maxpagesize=5")
        .urlEncodingEnabled(false)
        .get(URI.create(link))
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private static List<String> listAll(String user, String folder) {
    return given()
        .auth()
        .oauth2(SimulatorFixtures.token())
        .queryParam("$top", 100)
        .queryParam("$select", "id")
        .get("/v1.0/users/{user}/mailFolders/{folder}/messages", user, folder)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("value.id");
  }

  private static void patch(String user, String id, Map<String, Object> change) {
    patchExpect(user, id, change, 200);
  }

  private static void patchExpect(String user, String id, Map<String, Object> change, int status) {
    given()
        .contentType(ContentType.JSON)
        .body(change)
        .patch("/admin/mailboxes/{user}/messages/{id}", user, id)
        .then()
        .statusCode(status);
  }
}
