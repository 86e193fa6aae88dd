package io.backfill.gateway.api.validation;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import io.backfill.contracts.rules.Mailboxes;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * The text names a mailbox by the rule the fetcher also applies ({@link Mailboxes}), once
 * surrounding spaces are trimmed. Null is valid: presence is {@code @NotNull}'s concern.
 */
@Documented
@Target({FIELD, ANNOTATION_TYPE})
@Retention(RUNTIME)
@Constraint(validatedBy = Mailbox.Check.class)
public @interface Mailbox {

  String MESSAGE = "must be an address like ana@contoso.com or a Graph user id (GUID)";

  String message() default MESSAGE;

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Delegates to {@link Mailboxes#problemWith}. */
  class Check implements ConstraintValidator<Mailbox, String> {

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      return value == null || Mailboxes.problemWith(value.trim()).isEmpty();
    }
  }
}
