package io.backfill.simulator.graph;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The position after the last message of a page: its received time and id. Paging resumes after
 * that key, so mail arriving meanwhile never makes a page skip or repeat a message. Opaque to
 * clients, as Graph's is.
 */
public record SkipToken(Instant receivedDateTime, String id) {

  private static final String VERSION = "s1";

  public String encode() {
    String plain = VERSION + "|" + receivedDateTime.getEpochSecond() + "|" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  public static SkipToken decode(String token) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = plain.split("\\|", 3);
      if (parts.length != 3 || !parts[0].equals(VERSION)) {
        throw GraphException.badRequest("The $skiptoken value is not valid.");
      }
      return new SkipToken(Instant.ofEpochSecond(Long.parseLong(parts[1])), parts[2]);
    } catch (IllegalArgumentException e) {
      throw GraphException.badRequest("The $skiptoken value is not valid.");
    }
  }
}
