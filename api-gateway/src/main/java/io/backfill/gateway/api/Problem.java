package io.backfill.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An error body as RFC 9457 {@code application/problem+json}: a stable {@code type} to switch on, a
 * short {@code title}, the HTTP {@code status}, a {@code detail} a person can act on and, for
 * invalid input, one entry per offending field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type, String title, int status, String detail, List<FieldError> errors) {

  public static final String MEDIA_TYPE = "application/problem+json";

  private static final String TYPE_BASE = "https://backfill.io/problems/";

  /** One invalid field (or header, or the body as a whole) and what is wrong with it. */
  public record FieldError(String field, String message) {}

  public static Problem of(String slug, String title, int status, String detail) {
    return new Problem(TYPE_BASE + slug, title, status, detail, null);
  }

  public static Problem invalid(String slug, String detail, List<FieldError> errors) {
    return new Problem(TYPE_BASE + slug, "Invalid request", 400, detail, List.copyOf(errors));
  }
}
