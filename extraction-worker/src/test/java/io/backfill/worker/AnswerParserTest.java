package io.backfill.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backfill.worker.llm.AnswerParser;
import io.backfill.worker.llm.AnswerParser.Parsed;
import io.backfill.worker.llm.LlmAnswer;
import org.junit.jupiter.api.Test;

/** How the model's content is read: strictly, repaired when slightly broken, else invalid. */
class AnswerParserTest {

  private static final String ANSWER =
      "{\"entities\":[{\"name\":\"Zoë Østergaard\",\"type\":\"PERSON\",\"email\":\"zoe@contoso.com\"},"
          + "{\"name\":\"Contoso\",\"type\":\"ORGANIZATION\",\"email\":\"contoso.com\"},"
          + "{\"name\":\"Dương \\\"Dan\\\" Lê\",\"type\":\"PERSON\",\"email\":null}],"
          + "\"relationships\":[{\"source\":\"Zoë Østergaard\",\"relation\":\"WORKS_AT\","
          + "\"target\":\"Contoso\"}]}";

  @Test
  void aValidAnswerIsReadAsItIs() throws Exception {
    Parsed parsed = AnswerParser.parse("m1", ANSWER);

    assertThat(parsed.repaired()).isFalse();
    assertThat(parsed.answer().entities())
        .containsExactly(
            new LlmAnswer.Found("Zoë Østergaard", "PERSON", "zoe@contoso.com"),
            new LlmAnswer.Found("Contoso", "ORGANIZATION", "contoso.com"),
            new LlmAnswer.Found("Dương \"Dan\" Lê", "PERSON", null));
    assertThat(parsed.answer().relationships())
        .containsExactly(new LlmAnswer.Link("Zoë Østergaard", "WORKS_AT", "Contoso"));
  }

  @Test
  void aFencedOrWrappedAnswerIsRepaired() throws Exception {
    for (String content :
        new String[] {
          "```json\n" + ANSWER + "\n```",
          "```\n" + ANSWER + "```",
          "Here it is: " + ANSWER + " Done."
        }) {
      Parsed parsed = AnswerParser.parse("m1", content);
      assertThat(parsed.repaired()).as(content).isTrue();
      assertThat(parsed.answer().entities()).as(content).hasSize(3);
    }
  }

  @Test
  void anAnswerCutShortKeepsItsCompleteElements() throws Exception {
    // Cut inside the third entity's name (inside a string with an escaped quote).
    String cut = ANSWER.substring(0, ANSWER.indexOf("\\\"Dan") + 3);
    Parsed parsed = AnswerParser.parse("m1", cut);

    assertThat(parsed.repaired()).isTrue();
    assertThat(parsed.answer().entities())
        .extracting(LlmAnswer.Found::name)
        .containsExactly("Zoë Østergaard", "Contoso");
    assertThat(parsed.answer().relationships()).isEmpty();
  }

  @Test
  void anAnswerCutInsideItsFirstEntityIsRepairedToNoEntities() throws Exception {
    Parsed parsed = AnswerParser.parse("m1", ANSWER.substring(0, ANSWER.indexOf("\"type\"")));

    assertThat(parsed.repaired()).isTrue();
    assertThat(parsed.answer().entities()).isEmpty();
  }

  @Test
  void everyCutOfAnAnswerIsRepairedOrInvalidNeverAnException() {
    for (int i = 1; i < ANSWER.length(); i++) {
      String cut = ANSWER.substring(0, i);
      try {
        Parsed parsed = AnswerParser.parse("m1", cut);
        assertThat(parsed.answer().entities().size()).isLessThanOrEqualTo(3);
      } catch (AnswerParser.Invalid e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    }
  }

  @Test
  void jsonThatBreaksTheSchemaIsInvalidNotRepaired() {
    assertThatThrownBy(() -> AnswerParser.parse("m1", "{\"entities\":\"3 found\",\"note\":true}"))
        .isInstanceOf(AnswerParser.Invalid.class)
        .hasMessageContaining("schema violation");
    assertThatThrownBy(
            () -> AnswerParser.parse("m1", "{\"entities\":[{\"name\":\"A\",\"type\":\"PLACE\"}]}"))
        .isInstanceOf(AnswerParser.Invalid.class);
    assertThatThrownBy(() -> AnswerParser.parse("m1", "I could not find any entities."))
        .isInstanceOf(AnswerParser.Invalid.class)
        .hasMessageContaining("not JSON");
  }
}
