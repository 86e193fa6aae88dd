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

/**
 * The text is safe to store and log: no control characters and no unpaired surrogates, by the rule
 * every piece of caller text meets ({@link InputText}). Its length is a separate constraint. Null
 * is valid.
 */
@Documented
@Target({FIELD, ANNOTATION_TYPE})
@Retention(RUNTIME)
@Constraint(validatedBy = SafeText.Check.class)
public @interface SafeText {

  /** Unused: the violation names what is wrong, in {@link InputText}'s words. */
  String message() default "must not contain control characters or unpaired surrogates";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Delegates to {@link InputText#problem}. */
  class Check implements ConstraintValidator<SafeText, String> {

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      String problem = InputText.problem(value, Integer.MAX_VALUE);
      if (problem == null) {
        return true;
      }
      // InputText's messages are fixed sentences, never caller text.
      context.disableDefaultConstraintViolation();
      context.buildConstraintViolationWithTemplate(problem).addConstraintViolation();
      return false;
    }
  }
}
