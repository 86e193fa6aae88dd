package io.backfill.fetcher.graph;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Graph's JSON as the fetcher reads it: only the {@link GraphMessageMapper#SELECT}ed properties,
 * everything else skipped. A page is bound straight into these records (no tree of maps per
 * message); absent properties are null.
 */
final class GraphJson {

  private GraphJson() {}

  /** A page of messages, or of a folder's messages delta (then one of the links is set). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Page(
      List<Message> value,
      @JsonProperty("@odata.nextLink") String nextLink,
      @JsonProperty("@odata.deltaLink") String deltaLink) {

    Page {
      value = value == null ? List.of() : value;
    }
  }

  /** A message; in a delta page, {@code removed} is set when the entry is a removal. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Message(
      String id,
      String internetMessageId,
      String conversationId,
      String subject,
      String receivedDateTime,
      String sentDateTime,
      Party from,
      List<Party> toRecipients,
      List<Party> ccRecipients,
      Body body,
      String parentFolderId,
      String changeKey,
      String lastModifiedDateTime,
      @JsonProperty("@removed") Removed removed) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Party(EmailAddress emailAddress) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record EmailAddress(String name, String address) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Body(String content) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Removed(String reason) {}
}
