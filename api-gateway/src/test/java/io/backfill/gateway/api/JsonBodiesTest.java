package io.backfill.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.gateway.domain.BackfillSubmissions;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Request bodies are bound to their records and validated with every field problem reported at
 * once, one entry per field, in the API's words: wrong JSON types and unknown fields from the shape
 * check, the rest from Bean Validation, the second group only for fields the first left clean.
 */
class JsonBodiesTest {

  private static final ValidatorFactory FACTORY =
      Validation.byDefaultProvider()
          .configure()
          .messageInterpolator(new ParameterMessageInterpolator())
          .buildValidatorFactory();

  private static final JsonBodies BODIES = new JsonBodies(FACTORY.getValidator());

  @AfterAll
  static void close() {
    FACTORY.close();
  }

  private static JsonNode json(String text) throws Exception {
    return JsonBodies.STRICT.readTree(text);
  }

  private static List<Problem.FieldError> submitProblems(String body) throws Exception {
    List<Problem.FieldError> errors = new ArrayList<>();
    SubmitBackfill bound =
        BODIES.bind(json(body), SubmitBackfill.class, SubmitBackfill::wrongType, errors);
    assertThat(bound == null)
        .as("bound only without problems: %s", errors)
        .isEqualTo(!errors.isEmpty());
    return errors;
  }

  private static Problem.FieldError error(String field, String message) {
    return new Problem.FieldError(field, message);
  }

  @Test
  void everyFieldOfASubmissionIsReportedAtOnceOncePerField() throws Exception {
    assertThat(
            submitProblems(
                "{\"mailbox\":\"not-an-address\",\"from\":\"last tuesday\",\"to\":\"1969-12-31\","
                    + "\"folder\":\"in\\u0000box\",\"follow\":\"yes\",\"followIntervalSeconds\":0,"
                    + "\"folderr\":\"inbox\"}"))
        .containsExactly(
            error(
                "folderr",
                "unknown field; accepted: mailbox, from, to, folder, follow, followIntervalSeconds"),
            error("mailbox", "must be an address like ana@contoso.com or a Graph user id (GUID)"),
            error(
                "from",
                "must be an ISO-8601 date-time with offset (2024-01-01T00:00:00Z) or a date"
                    + " (2024-01-01)"),
            error("to", "must lie between 1970-01-01 and 9999-12-31"),
            error("folder", "must not contain control characters"),
            error("follow", "when given, true or false"),
            error("followIntervalSeconds", "when given, whole seconds from 1 to 86400"));
  }

  @Test
  void wrongJsonTypesAreToldTheFieldsRuleAndMissingFieldsAreRequired() throws Exception {
    assertThat(
            submitProblems(
                "{\"mailbox\":42,\"from\":1704067200,\"to\":{},\"folder\":true,\"follow\":1,"
                    + "\"followIntervalSeconds\":1.5}"))
        .containsExactly(
            error("mailbox", "must be an address like ana@contoso.com or a Graph user id (GUID)"),
            error(
                "from",
                "must be an ISO-8601 date-time with offset (2024-01-01T00:00:00Z) or a date"
                    + " (2024-01-01)"),
            error(
                "to",
                "must be an ISO-8601 date-time with offset (2024-01-01T00:00:00Z) or a date"
                    + " (2024-01-01)"),
            error("folder", "when given, a folder name or id of 1 to 255 characters"),
            error("follow", "when given, true or false"),
            error("followIntervalSeconds", "when given, whole seconds from 1 to 86400"));
    assertThat(submitProblems("{\"mailbox\":null}"))
        .containsExactly(
            error("mailbox", "required"), error("from", "required"), error("to", "required"));
    assertThat(
            submitProblems(
                "{\"mailbox\":\"a@b.io\",\"from\":\"2024-01-01\",\"to\":\"2024-02-01\","
                    + "\"followIntervalSeconds\":2147483648,\"follow\":true}"))
        .containsExactly(
            error("followIntervalSeconds", "when given, whole seconds from 1 to 86400"));
  }

  @Test
  void rulesAcrossFieldsApplyOnlyToFieldsThatAreValidOnTheirOwn() throws Exception {
    String window = "\"mailbox\":\"ana@contoso.com\",\"from\":\"2024-03-01\",\"to\":\"2024-02-01\"";
    assertThat(submitProblems("{" + window + "}"))
        .containsExactly(error("to", "must be after from (2024-03-01T00:00:00Z)"));
    assertThat(
            submitProblems(
                "{"
                    + window.replace("2024-03-01", "2018-01-01").replace("2024-02-01", "2024-01-01")
                    + "}"))
        .containsExactly(
            error("to", "the window is 2191 days; at most 1826 days are accepted in one request"));
    String valid = "\"mailbox\":\"ana@contoso.com\",\"from\":\"2024-01-01\",\"to\":\"2024-02-01\"";
    // Follow of the wrong type counts as not following, so the interval is refused too.
    assertThat(submitProblems("{" + valid + ",\"follow\":\"yes\",\"followIntervalSeconds\":60}"))
        .containsExactly(
            error("follow", "when given, true or false"),
            error("followIntervalSeconds", "only with \"follow\": true"));
    // An interval out of range is told its range, not that follow is missing.
    assertThat(submitProblems("{" + valid + ",\"followIntervalSeconds\":0}"))
        .containsExactly(
            error("followIntervalSeconds", "when given, whole seconds from 1 to 86400"));
    // A folder is checked for its characters first, then for its form.
    assertThat(submitProblems("{" + valid + ",\"folder\":\"   \"}"))
        .containsExactly(error("folder", "when given, a folder name or id of 1 to 255 characters"));
    assertThat(submitProblems("{" + valid + ",\"folder\":\"" + "f".repeat(256) + "\"}"))
        .containsExactly(error("folder", "when given, a folder name or id of 1 to 255 characters"));
    assertThat(submitProblems("{" + valid + ",\"folder\":\"\\ud800" + "f".repeat(256) + "\"}"))
        .containsExactly(
            error("folder", "must not contain unpaired surrogates (not valid Unicode)"));
  }

  @Test
  void aValidSubmissionBecomesTheStoredRequestNormalised() throws Exception {
    List<Problem.FieldError> errors = new ArrayList<>();
    SubmitBackfill bound =
        BODIES.bind(
            json(
                "{\"mailbox\":\" Ana@Contoso.COM \",\"from\":\"2024-01-01\","
                    + "\"to\":\"2024-03-01T01:00:00+01:00\",\"folder\":\" inbox \",\"follow\":true,"
                    + "\"followIntervalSeconds\":600}"),
            SubmitBackfill.class,
            SubmitBackfill::wrongType,
            errors);
    assertThat(errors).isEmpty();
    assertThat(bound.toRequest())
        .isEqualTo(
            new BackfillSubmissions.Request(
                "ana@contoso.com",
                Instant.parse("2024-01-01T00:00:00Z"),
                Instant.parse("2024-03-01T00:00:00Z"),
                "inbox",
                true,
                600));
    SubmitBackfill plain =
        BODIES.bind(
            json(
                "{\"mailbox\":\"ana@contoso.com\",\"from\":\"2024-01-01\",\"to\":\"2024-02-01\","
                    + "\"folder\":null,\"follow\":null,\"followIntervalSeconds\":null}"),
            SubmitBackfill.class,
            SubmitBackfill::wrongType,
            errors);
    assertThat(errors).isEmpty();
    assertThat(plain.toRequest().follow()).isFalse();
    assertThat(plain.toRequest().folder()).isNull();
  }

  @Test
  void adminBodiesReportCharactersBeforeFormAndRefuseUnknownFieldsOnTheirOwn() throws Exception {
    List<Problem.FieldError> errors = new ArrayList<>();
    BODIES.bind(
        json("{\"tenantId\":\"ab\\u0000c\",\"name\":7,\"keyLabel\":\"" + "l".repeat(101) + "\"}"),
        TenantAdminResource.NewTenant.class,
        field -> TenantAdminResource.MUST_BE_A_STRING,
        errors);
    assertThat(errors)
        .containsExactly(
            error("tenantId", "must not contain control characters"),
            error("name", "must be a string"),
            error("keyLabel", "at most 100 characters"));
    errors.clear();
    BODIES.bind(
        json("{\"tenantId\":\"Bad Id\",\"name\":\"" + "n".repeat(201) + "\"}"),
        TenantAdminResource.NewTenant.class,
        field -> TenantAdminResource.MUST_BE_A_STRING,
        errors);
    assertThat(errors)
        .containsExactly(
            error(
                "tenantId",
                "required: 1-63 lower-case letters, digits or '-', not starting with '-'"),
            error("name", "at most 200 characters"));
    errors.clear();
    assertThat(BODIES.bind(null, TenantAdminResource.NewKey.class, f -> "must be a string", errors))
        .isEqualTo(new TenantAdminResource.NewKey(null));
    assertThat(errors).isEmpty();

    assertThatThrownBy(
            () ->
                JsonBodies.object(
                    "{\"tenantId\":\"x\",\"plan\":\"gold\"}".getBytes(StandardCharsets.UTF_8),
                    "application/json",
                    true,
                    TenantAdminResource.NewTenant.class,
                    "invalid-tenant"))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e ->
                assertThat(e.problem().errors())
                    .containsExactly(
                        error(
                            "plan", "unknown field; expected one of [tenantId, name, keyLabel]")));
  }
}
