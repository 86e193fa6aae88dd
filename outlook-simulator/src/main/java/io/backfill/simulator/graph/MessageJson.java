package io.backfill.simulator.graph;

import io.backfill.simulator.domain.MailMessage;
import io.backfill.simulator.domain.Person;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a message with Graph's property names, only the selected ones when $select is used. */
public final class MessageJson {

  /** Graph's bodyPreview is the first 255 characters of the text body. */
  static final int PREVIEW_CHARS = 255;

  private MessageJson() {}

  public static Map<String, Object> render(
      MailMessage m, String mailboxAddress, List<String> select, boolean textBodies) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("@odata.etag", m.etag());
    json.put("id", m.id());
    if (select == null) {
      for (String field : ALL) {
        put(json, field, m, mailboxAddress, textBodies);
      }
    } else {
      for (String field : select) {
        put(json, field, m, mailboxAddress, textBodies);
      }
    }
    return json;
  }

  private static final List<String> ALL =
      List.of(
          "createdDateTime",
          "lastModifiedDateTime",
          "changeKey",
          "categories",
          "receivedDateTime",
          "sentDateTime",
          "hasAttachments",
          "internetMessageId",
          "subject",
          "bodyPreview",
          "importance",
          "parentFolderId",
          "conversationId",
          "isRead",
          "isDraft",
          "webLink",
          "inferenceClassification",
          "body",
          "sender",
          "from",
          "toRecipients",
          "ccRecipients",
          "bccRecipients",
          "replyTo");

  private static void put(
      Map<String, Object> json, String field, MailMessage m, String mailbox, boolean text) {
    Object value =
        switch (field) {
          case "id" -> m.id();
          case "createdDateTime", "receivedDateTime" -> m.receivedDateTime().toString();
          case "lastModifiedDateTime" -> m.lastModifiedDateTime().toString();
          case "sentDateTime" -> m.sentDateTime().toString();
          case "changeKey" -> m.changeKey();
          case "categories" -> m.categories();
          case "bccRecipients", "replyTo" -> List.of();
          case "hasAttachments" -> m.hasAttachments();
          case "internetMessageId" -> m.internetMessageId();
          case "subject" -> m.subject();
          case "bodyPreview" -> preview(m.textBody());
          case "importance" -> "normal";
          case "parentFolderId" -> folderId(mailbox, m.folder());
          case "conversationId" -> m.conversationId();
          case "isRead" -> true;
          case "isDraft" -> false;
          case "inferenceClassification" -> "focused";
          case "webLink" ->
              "https://outlook.office365.com/owa/?ItemID="
                  + URLEncoder.encode(m.id(), StandardCharsets.UTF_8)
                  + "&exvsurl=1&viewmodel=ReadMessageItem";
          case "body" -> body(m.textBody(), text);
          case "sender", "from" -> recipient(m.from());
          case "toRecipients" -> recipients(m.toRecipients());
          case "ccRecipients" -> recipients(m.ccRecipients());
          default -> throw MessageQuery.unknownProperty(field);
        };
    json.put(field, value);
  }

  /** A folder's id, stable per mailbox and well-known name. */
  public static String folderId(String mailbox, String folder) {
    return "AQMk"
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString((mailbox + "/" + folder).getBytes(StandardCharsets.UTF_8));
  }

  /** The first 255 characters with runs of whitespace as one space, without scanning it all. */
  static String preview(String text) {
    StringBuilder preview = new StringBuilder(PREVIEW_CHARS);
    boolean space = false;
    for (int i = 0; i < text.length() && preview.length() < PREVIEW_CHARS; i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        space = preview.length() > 0;
      } else {
        if (space) {
          preview.append(' ');
          space = false;
          if (preview.length() == PREVIEW_CHARS) {
            break;
          }
        }
        preview.append(c);
      }
    }
    return preview.toString();
  }

  private static Map<String, Object> body(String text, boolean asText) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("contentType", asText ? "text" : "html");
    body.put("content", asText ? text : html(text));
    return body;
  }

  static String html(String text) {
    StringBuilder html = new StringBuilder(text.length() + text.length() / 8 + 200);
    html.append(
        "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n"
            + "</head><body><div dir=\"ltr\">");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> html.append("&lt;");
        case '>' -> html.append("&gt;");
        case '&' -> html.append("&amp;");
        case '"' -> html.append("&quot;");
        case '\n' -> html.append("<br>\r\n");
        default -> html.append(c);
      }
    }
    return html.append("</div></body></html>").toString();
  }

  private static Map<String, Object> recipient(Person p) {
    Map<String, Object> address = new LinkedHashMap<>();
    address.put("name", p.name());
    address.put("address", p.email());
    return Map.of("emailAddress", address);
  }

  private static List<Object> recipients(List<Person> people) {
    List<Object> list = new ArrayList<>(people.size());
    people.forEach(p -> list.add(recipient(p)));
    return list;
  }
}
