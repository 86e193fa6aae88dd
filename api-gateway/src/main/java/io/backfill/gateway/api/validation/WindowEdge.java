package io.backfill.gateway.api.validation;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import io.backfill.gateway.api.InputText;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The text is one end of a backfill window: an ISO-8601 date-time with an offset, or a date (UTC
 * midnight), within the dates the gateway accepts ({@link InputText#inRange}). Surrounding spaces
 * are ignored. Null is valid.
 */
@Documented
@Target({FIELD, ANNOTATION_TYPE})
@Retention(RUNTIME)
@Constraint(validatedBy = WindowEdge.Check.class)
public @interface WindowEdge {

  String MESSAGE =
      "must be an ISO-8601 date-time with offset (2024-01-01T00:00:00Z) or a date (2024-01-01)";

  String OUT_OF_RANGE = "must lie between 1970-01-01 and 9999-12-31";

  String message() default MESSAGE;

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Reads the text as an instant; out of range is its own message. */
  class Check implements ConstraintValidator<WindowEdge, String> {

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      if (value == null) {
        return true;
      }
      Instant parsed = parse(value);
      if (parsed == null) {
        return false;
      }
      if (InputText.inRange(parsed)) {
        return true;
      }
      context.disableDefaultConstraintViolation();
      context.buildConstraintViolationWithTemplate(OUT_OF_RANGE).addConstraintViolation();
      return false;
    }

    /** The instant the text names when it is a valid window edge, else null. */
    public static Instant instant(String text) {
      Instant parsed = text == null ? null : parse(text);
      return parsed != null && InputText.inRange(parsed) ? parsed : null;
    }

    private static Instant parse(String text) {
      String trimmed = text.trim();
      try {
        return OffsetDateTime.parse(trimmed).toInstant();
      } catch (DateTimeParseException notADateTime) {
        try {
          return LocalDate.parse(trimmed).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException | ArithmeticException notADate) {
          return null;
        }
      } catch (ArithmeticException outOfInstantRange) {
        return null;
      }
    }
  }
}
