package io.backfill.gateway.api.validation;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import io.backfill.gateway.domain.GraphDirectories;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * The text names an Entra directory as {@link GraphDirectories#normalise} accepts it: a GUID or a
 * domain name, in any case. Null is valid.
 */
@Documented
@Target({FIELD, ANNOTATION_TYPE})
@Retention(RUNTIME)
@Constraint(validatedBy = GraphDirectoryId.Check.class)
public @interface GraphDirectoryId {

  String MESSAGE =
      "required: a GUID or a domain name, at most " + GraphDirectories.MAX_CHARS + " characters";

  String message() default MESSAGE;

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Delegates to {@link GraphDirectories#normalise}. */
  class Check implements ConstraintValidator<GraphDirectoryId, String> {

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      return value == null || GraphDirectories.normalise(value).isPresent();
    }
  }
}
