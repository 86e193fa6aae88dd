package io.backfill.gateway.api;

/**
 * An error body as RFC 9457 {@code application/problem+json}: a stable {@code type} to switch on, a
 * short {@code title}, the HTTP {@code status} and a {@code detail} a person can act on.
 */
public record Problem(String type, String title, int status, String detail) {

  public static final String MEDIA_TYPE = "application/problem+json";

  private static final String TYPE_BASE = "https://backfill.io/problems/";

  public static Problem of(String slug, String title, int status, String detail) {
    return new Problem(TYPE_BASE + slug, title, status, detail);
  }
}
