package io.backfill.fetcher.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.contracts.event.RemovedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Graph's 200 answers, read from the bytes they came in. */
class GraphPageReaderTest {

  private final GraphPageReader reader = new GraphPageReader(new ObjectMapper(), 10_240);

  @Test
  void aPageOfMessagesIsReadWithItsNextLinkAndUnknownPropertiesSkipped() {
    GraphMessagePage page =
        reader.page(
            bytes(
                """
                {"@odata.context":"x","value":[{"@odata.etag":"W/\\"1\\"","id":"AAMk1",
                "internetMessageId":"<1@contoso.com>","conversationId":"c1","subject":"Zoë \\u00e9 \\ud83d\\ude00",
                "receivedDateTime":"2024-02-01T10:00:00Z","sentDateTime":"2024-02-01T09:59:00+01:00",
                "bodyPreview":"ignored","categories":["a"],"isRead":true,
                "from":{"emailAddress":{"name":"Ana","address":"ana@contoso.com"}},
                "toRecipients":[{"emailAddress":{"name":"Bo","address":"bo@contoso.com"}},
                {"emailAddress":{"name":"System"}}],"ccRecipients":[],
                "body":{"contentType":"text","content":"line one\\nline two – é"},
                "parentFolderId":"inbox","changeKey":"k1","lastModifiedDateTime":"2024-02-02T00:00:00Z"}],
                "@odata.nextLink":"http://graph/v1.0/next?$skiptoken=a"}
                """));

    assertThat(page.nextLink()).isEqualTo("http://graph/v1.0/next?$skiptoken=a");
    assertThat(page.last()).isFalse();
    assertThat(page.messages())
        .containsExactly(
            new MailMessage(
                "AAMk1",
                "<1@contoso.com>",
                "c1",
                "Zoë é \uD83D\uDE00",
                Instant.parse("2024-02-01T10:00:00Z"),
                Instant.parse("2024-02-01T08:59:00Z"),
                new Recipient("Ana", "ana@contoso.com"),
                List.of(new Recipient("Bo", "bo@contoso.com")),
                List.of(),
                "line one\nline two – é",
                false,
                "inbox",
                "k1",
                Instant.parse("2024-02-02T00:00:00Z")));
  }

  @Test
  void aMessageWithoutOptionalPropertiesHasNoSenderNoRecipientsAndAnEmptyBody() {
    GraphMessagePage page =
        reader.page(
            bytes(
                """
                {"value":[{"id":"AAMk2","receivedDateTime":"2024-02-01T10:00:00Z","from":null,
                "toRecipients":null}]}
                """));

    assertThat(page.last()).isTrue();
    MailMessage message = page.messages().get(0);
    assertThat(message.from()).isNull();
    assertThat(message.to()).isEmpty();
    assertThat(message.cc()).isEmpty();
    assertThat(message.body()).isEmpty();
    assertThat(message.bodyTruncated()).isFalse();
  }

  @Test
  void aLongBodyIsCutAndFlagged() {
    GraphMessagePage page =
        reader.page(
            bytes(
                "{\"value\":[{\"id\":\"AAMk3\",\"receivedDateTime\":\"2024-02-01T10:00:00Z\","
                    + "\"body\":{\"content\":\""
                    + "é".repeat(6_000)
                    + "\"}}]}"));

    MailMessage message = page.messages().get(0);
    assertThat(message.bodyTruncated()).isTrue();
    assertThat(bytes(message.body())).hasSize(10_240);
  }

  @Test
  void aBodyThatIsNotJsonIsGraphUnavailable() {
    assertThatThrownBy(() -> reader.page(bytes("<html>proxy error</html>")))
        .isInstanceOf(GraphUnavailable.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> reader.page(bytes("{\"value\":[{\"id\":")))
        .isInstanceOf(GraphUnavailable.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void anEmptyOrNonPageBodyIsGraphUnavailableNotAnEmptyLastPage() {
    for (String body : new String[] {"", "null", "[]", "\"x\"", "{\"value\":\"x\"}"}) {
      assertThatThrownBy(() -> reader.page(bytes(body)))
          .as(body)
          .isInstanceOf(GraphUnavailable.class);
    }
  }

  @Test
  void aDeltaPageKeepsTheLastEntryOfAnIdAndReadsRemovals() {
    GraphMessagePager.DeltaPage page =
        reader.delta(
            bytes(
                """
                {"value":[
                {"id":"m1","receivedDateTime":"2024-02-01T10:00:00Z","subject":"first"},
                {"id":"m2","@removed":{"reason":"changed"}},
                {"id":"m3","@removed":{"reason":"deleted"}},
                {"id":"m4","@removed":{}},
                {"subject":"no id"},
                {"id":"m1","receivedDateTime":"2024-02-01T10:00:00Z","subject":"second"}],
                "@odata.deltaLink":"http://graph/v1.0/delta?$deltatoken=b"}
                """),
            "inbox");

    assertThat(page.nextLink()).isNull();
    assertThat(page.deltaLink()).isEqualTo("http://graph/v1.0/delta?$deltatoken=b");
    assertThat(page.messages()).extracting(MailMessage::subject).containsExactly("second");
    assertThat(page.removals())
        .containsExactly(
            new RemovedMessage("m2", "inbox", RemovedMessage.CHANGED),
            new RemovedMessage("m3", "inbox", RemovedMessage.DELETED),
            new RemovedMessage("m4", "inbox", RemovedMessage.DELETED));
  }

  @Test
  void aFoldersPageNamesPresentAndRemovedFolders() {
    GraphMessagePager.FolderPage page =
        reader.folders(
            bytes(
                """
                {"value":[{"id":"f1","displayName":"Inbox"},{"id":"f2","@removed":{"reason":"deleted"}}],
                "@odata.nextLink":"http://graph/v1.0/folders?$skiptoken=c"}
                """));

    assertThat(page.present()).containsExactly("f1");
    assertThat(page.names()).containsExactly("Inbox");
    assertThat(page.removed()).containsExactly("f2");
    assertThat(page.nextLink()).isEqualTo("http://graph/v1.0/folders?$skiptoken=c");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
