package io.backfill.gateway.api.validation;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * A request gives {@code followIntervalSeconds} only together with {@code "follow": true}: an
 * interval for a request that does not follow would be silently unused. Reported on {@code
 * followIntervalSeconds}.
 */
@Documented
@Target({TYPE, ANNOTATION_TYPE})
@Retention(RUNTIME)
@Constraint(validatedBy = IntervalNeedsFollow.Check.class)
public @interface IntervalNeedsFollow {

  String message() default "only with \"follow\": true";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** A request that may follow its mailbox. */
  interface Following {
    Boolean follow();

    Integer followIntervalSeconds();
  }

  /** Valid without an interval, or with follow true. */
  class Check implements ConstraintValidator<IntervalNeedsFollow, Following> {

    @Override
    public boolean isValid(Following value, ConstraintValidatorContext context) {
      if (value == null
          || value.followIntervalSeconds() == null
          || Boolean.TRUE.equals(value.follow())) {
        return true;
      }
      context.disableDefaultConstraintViolation();
      context
          .buildConstraintViolationWithTemplate(context.getDefaultConstraintMessageTemplate())
          .addPropertyNode("followIntervalSeconds")
          .addConstraintViolation();
      return false;
    }
  }
}
