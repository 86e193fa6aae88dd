package io.backfill.gateway.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.contracts.rules.Mailboxes;
import io.backfill.contracts.rules.Windows;
import io.backfill.gateway.api.InputText;
import io.backfill.gateway.domain.GraphDirectories;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Each of the gateway's own body constraints refuses exactly what the shared rule it names refuses
 * (contracts' {@link Mailboxes} and {@link Windows}, {@link InputText}, {@link
 * GraphDirectories#normalise}), says so in the words the API answers with, and accepts a valid
 * value and null.
 */
class BodyConstraintsTest {

  private static final ValidatorFactory FACTORY =
      Validation.byDefaultProvider()
          .configure()
          .messageInterpolator(new ParameterMessageInterpolator())
          .buildValidatorFactory();

  private static final Validator VALIDATOR = FACTORY.getValidator();

  record MailboxField(@Mailbox String value) {}

  record EdgeField(@WindowEdge String value) {}

  record TextField(@SafeText String value) {}

  record DirectoryField(@GraphDirectoryId String value) {}

  @Window
  record Span(String from, String to) implements Window.Bounds {}

  @IntervalNeedsFollow
  record Following(Boolean follow, Integer followIntervalSeconds)
      implements IntervalNeedsFollow.Following {}

  @AfterAll
  static void close() {
    FACTORY.close();
  }

  /** The violations as "path: message". */
  private static List<String> problems(Object bean) {
    Set<? extends ConstraintViolation<?>> violations = VALIDATOR.validate(bean);
    return violations.stream()
        .map(v -> v.getPropertyPath() + ": " + v.getMessage())
        .sorted()
        .collect(Collectors.toList());
  }

  @Test
  void mailboxRefusesWhatMailboxesRefusesAfterTrimming() {
    List<String> samples =
        List.of(
            "ana@contoso.com",
            "  Ana@Contoso.com ",
            "1b2c3d4e-0000-4a4a-8b8b-0123456789ab",
            "",
            "   ",
            "not-an-address",
            "ana@contoso",
            "ana\u0000@contoso.com",
            "ana\r\n@contoso.com",
            "a".repeat(250) + "@x.io",
            "a".repeat(10_000) + "@x.io");
    for (String sample : samples) {
      boolean valid = Mailboxes.problemWith(sample.trim()).isEmpty();
      assertThat(problems(new MailboxField(sample)))
          .as("%s", sample)
          .isEqualTo(valid ? List.of() : List.of("value: " + Mailbox.MESSAGE));
    }
    assertThat(problems(new MailboxField("ana@contoso.com"))).isEmpty();
    assertThat(problems(new MailboxField(null))).isEmpty();
  }

  @Test
  void windowEdgeReadsDatesAndDateTimesWithinTheAcceptedYears() {
    Map<String, String> refused =
        Map.of(
            "last tuesday", WindowEdge.MESSAGE,
            "2024-13-45", WindowEdge.MESSAGE,
            "2024-01-01T00:00:00", WindowEdge.MESSAGE,
            "1704067200", WindowEdge.MESSAGE,
            "1969-12-31", WindowEdge.OUT_OF_RANGE,
            "+10000-01-01", WindowEdge.OUT_OF_RANGE,
            "+300000-01-01T00:00:00Z", WindowEdge.OUT_OF_RANGE,
            "-5000-01-01T00:00:00Z", WindowEdge.OUT_OF_RANGE,
            "+999999999-12-31T23:59:59Z", WindowEdge.OUT_OF_RANGE);
    refused.forEach(
        (text, message) ->
            assertThat(problems(new EdgeField(text)))
                .as(text)
                .containsExactly("value: " + message));
    assertThat(problems(new EdgeField(" 2024-01-01 "))).isEmpty();
    assertThat(problems(new EdgeField("2024-01-01T02:00:00+02:00"))).isEmpty();
    assertThat(problems(new EdgeField(null))).isEmpty();
    assertThat(WindowEdge.Check.instant("2024-01-01T02:00:00+02:00"))
        .isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    assertThat(WindowEdge.Check.instant("2024-01-01"))
        .isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    assertThat(WindowEdge.Check.instant("1969-12-31")).isNull();
  }

  @Test
  void windowRefusesWhatWindowsRefusesAndReportsItOnTo() {
    assertThat(problems(new Span("2024-02-01", "2024-02-01")))
        .containsExactly("to: must be after from (2024-02-01T00:00:00Z)");
    assertThat(problems(new Span("2024-03-01", "2024-02-01")))
        .containsExactly("to: must be after from (2024-03-01T00:00:00Z)");
    assertThat(problems(new Span("2018-01-01", "2024-01-01")))
        .containsExactly(
            "to: the window is 2191 days; at most 1826 days are accepted in one request");
    Instant from = Instant.parse("2020-01-01T00:00:00Z");
    Instant longest = from.plus(Windows.MAX);
    assertThat(Windows.problemWith(from, longest)).isEmpty();
    assertThat(problems(new Span(from.toString(), longest.toString()))).isEmpty();
    assertThat(Windows.problemWith(from, longest.plusSeconds(1))).isPresent();
    assertThat(problems(new Span(from.toString(), longest.plusSeconds(1).toString())))
        .containsExactly(
            "to: the window is 1826 days; at most 1826 days are accepted in one request");
    assertThat(problems(new Span("2024-01-01", "2024-02-01"))).isEmpty();
    // An edge that is not a date is its own field's problem, not the window's.
    assertThat(problems(new Span("last tuesday", "2024-02-01"))).isEmpty();
    assertThat(problems(new Span(null, "2024-02-01"))).isEmpty();
  }

  @Test
  void intervalNeedsFollowTrue() {
    assertThat(problems(new Following(null, 60)))
        .containsExactly("followIntervalSeconds: only with \"follow\": true");
    assertThat(problems(new Following(false, 60)))
        .containsExactly("followIntervalSeconds: only with \"follow\": true");
    assertThat(problems(new Following(true, 60))).isEmpty();
    assertThat(problems(new Following(false, null))).isEmpty();
    assertThat(problems(new Following(null, null))).isEmpty();
  }

  @Test
  void safeTextRefusesWhatInputTextRefusesInItsWords() {
    for (String sample :
        List.of("in\u0000box", "inbox\r\nINFO forged", "\u001b[31m", "in\ud800box", "\udc00")) {
      String rule = InputText.problem(sample, Integer.MAX_VALUE);
      assertThat(rule).as("%s", sample).isNotNull();
      assertThat(problems(new TextField(sample))).containsExactly("value: " + rule);
    }
    assertThat(problems(new TextField("in\u0000box")))
        .containsExactly("value: must not contain control characters");
    assertThat(problems(new TextField("\udc00")))
        .containsExactly("value: must not contain unpaired surrogates (not valid Unicode)");
    assertThat(problems(new TextField("Posteingang \ud83d\udce5"))).isEmpty();
    assertThat(problems(new TextField("f".repeat(10_000)))).isEmpty();
    assertThat(problems(new TextField(null))).isEmpty();
  }

  @Test
  void graphDirectoryIdRefusesWhatGraphDirectoriesCannotNormalise() {
    for (String sample :
        List.of(
            "not_a_directory",
            "contoso",
            "",
            "a".repeat(61) + ".com",
            "Contoso.OnMicrosoft.com",
            "55555555-2222-3333-4444-555555555555",
            "55555555-2222-3333-4444-55555555555G")) {
      boolean valid = GraphDirectories.normalise(sample).isPresent();
      assertThat(problems(new DirectoryField(sample)))
          .as("%s", sample)
          .isEqualTo(valid ? List.of() : List.of("value: " + GraphDirectoryId.MESSAGE));
    }
    assertThat(problems(new DirectoryField("contoso.onmicrosoft.com"))).isEmpty();
    assertThat(problems(new DirectoryField(null))).isEmpty();
    assertThat(GraphDirectoryId.MESSAGE)
        .isEqualTo("required: a GUID or a domain name, at most 64 characters");
  }
}
