package io.backfill.gateway.api.validation;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import io.backfill.contracts.rules.Windows;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.time.Duration;
import java.time.Instant;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;

/**
 * The request's {@code [from, to)} is a window the fetcher also accepts ({@link Windows}): from
 * before to, and not longer than {@link Windows#MAX}. Reported on {@code to}. A request whose from
 * or to is not a valid {@link WindowEdge} is left to that constraint.
 */
@Documented
@Target({TYPE, ANNOTATION_TYPE})
@Retention(RUNTIME)
@Constraint(validatedBy = Window.Check.class)
public @interface Window {

  String NOT_AFTER = "must be after from ({from})";

  String TOO_LONG = "the window is {days} days; at most {maxDays} days are accepted in one request";

  /** Unused: the violation says which of the two rules failed. */
  String message() default NOT_AFTER;

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** A request that names a window. */
  interface Bounds {
    String from();

    String to();
  }

  /** Delegates to {@link Windows#problemWith}. */
  class Check implements ConstraintValidator<Window, Bounds> {

    @Override
    public boolean isValid(Bounds value, ConstraintValidatorContext context) {
      Instant from = value == null ? null : WindowEdge.Check.instant(value.from());
      Instant to = value == null ? null : WindowEdge.Check.instant(value.to());
      if (from == null || to == null || Windows.problemWith(from, to).isEmpty()) {
        return true;
      }
      HibernateConstraintValidatorContext hibernate =
          context.unwrap(HibernateConstraintValidatorContext.class);
      hibernate.disableDefaultConstraintViolation();
      String template;
      if (from.isBefore(to)) {
        template = TOO_LONG;
        hibernate.addMessageParameter("days", String.valueOf(Duration.between(from, to).toDays()));
        hibernate.addMessageParameter("maxDays", String.valueOf(Windows.MAX.toDays()));
      } else {
        template = NOT_AFTER;
        hibernate.addMessageParameter("from", from.toString());
      }
      hibernate
          .buildConstraintViolationWithTemplate(template)
          .addPropertyNode("to")
          .addConstraintViolation();
      return false;
    }
  }
}
