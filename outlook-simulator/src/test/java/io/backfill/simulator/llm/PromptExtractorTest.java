package io.backfill.simulator.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.simulator.domain.Entity;
import io.backfill.simulator.domain.MailMessage;
import io.backfill.simulator.domain.MailboxRegistry;
import io.backfill.simulator.domain.MailboxSpec;
import io.backfill.simulator.domain.MessageList;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PromptExtractorTest {

  private final MailboxRegistry registry =
      new MailboxRegistry(
          Instant.parse("2026-01-01T00:00:00Z"),
          365,
          null,
          List.of(new MailboxSpec("alice@contoso.com", 400, 7)));
  private final PromptExtractor extractor = new PromptExtractor(registry, 0.9, 0.8);

  @Test
  void theNamesFoundInAPromptAreExactlyThoseItContains() {
    MessageList mail = registry.find("alice@contoso.com").orElseThrow().snapshot();
    Set<String> known = new HashSet<>();
    for (Entity e : mail.knownEntities()) {
      known.add(e.name());
      // A person is also known by address; an organisation by name only.
      if (e.type().equals(Entity.PERSON) && e.email() != null) {
        known.add(e.email());
      }
    }
    assertThat(known).hasSizeGreaterThan(10);

    int withNames = 0;
    for (MailMessage m : mail) {
      // Text outside Latin-1 makes the prompt a UTF-16 string, as real prompts often are.
      String prompt =
          "Extract the people — Grüße, 東京 —\n"
              + m.subject()
              + "\n"
              + m.from()
              + "\n"
              + m.toRecipients()
              + "\n"
              + m.textBody();
      Set<String> contained = known.stream().filter(prompt::contains).collect(Collectors.toSet());

      assertThat(extractor.namedIn(prompt)).as(m.id()).isEqualTo(contained);
      withNames += contained.isEmpty() ? 0 : 1;
    }
    assertThat(withNames).isGreaterThan(mail.size() / 2);
  }

  @Test
  void aNameInsideALongerWordIsFoundAsStringContainsWouldFindIt() {
    MessageList mail = registry.find("alice@contoso.com").orElseThrow().snapshot();
    String name = mail.knownEntities().get(0).name();

    assertThat(extractor.namedIn("x" + name + "y")).contains(name);
    assertThat(extractor.namedIn("nothing known here")).isEmpty();
  }
}
