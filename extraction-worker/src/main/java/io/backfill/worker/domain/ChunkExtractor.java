package io.backfill.worker.domain;

import io.backfill.contracts.event.ChangeCounts;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.MailMessage;
import io.backfill.worker.attempt.AttemptCancelledException;
import io.backfill.worker.attempt.ChunkAttempt;
import io.backfill.worker.attempt.OutdatedPlanException;
import io.backfill.worker.config.LlmConfig;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.ChunkWriter.Written;
import io.backfill.worker.domain.MailChanges.Kind;
import io.backfill.worker.embedding.MessageEmbedder;
import io.backfill.worker.embedding.MessageEmbedder.MessageEmbedding;
import io.backfill.worker.llm.LlmExtractor;
import io.backfill.worker.llm.LlmResult;
import io.backfill.worker.persistence.ChangeStore;
import io.backfill.worker.persistence.ChangeStore.Stored;
import io.backfill.worker.persistence.TransientRetry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The work of one attempt, in phases reported as progress: rules, llm, embeddings, writing. No
 * transaction is held while the LLM works; the writes come last, in one transaction.
 */
@ApplicationScoped
public class ChunkExtractor {

  private static final Logger LOG = Logger.getLogger(ChunkExtractor.class);

  private final RuleBasedExtractor rules;
  private final LlmExtractor llm;
  private final MessageEmbedder embedder;
  private final ChunkWriter writer;
  private final WorkerConfig workerConfig;
  private final LlmConfig llmConfig;
  private final ChangeStore changes;
  private final TransientRetry retry;

  ChunkExtractor(
      ChangeStore changes,
      TransientRetry retry,
      RuleBasedExtractor rules,
      LlmExtractor llm,
      MessageEmbedder embedder,
      ChunkWriter writer,
      WorkerConfig workerConfig,
      LlmConfig llmConfig) {
    this.changes = changes;
    this.retry = retry;
    this.workerConfig = workerConfig;
    this.llmConfig = llmConfig;
    this.rules = rules;
    this.llm = llm;
    this.embedder = embedder;
    this.writer = writer;
  }

  /** What an attempt wrote. */
  public record Extraction(
      int messages,
      int entities,
      int relationships,
      int embeddings,
      LlmOutcome llm,
      ChangeCounts changes) {}

  /** How often the write may find messages it has to extract besides those planned. */
  private static final int PASSES = 3;

  public Extraction extract(ChunkAttempt attempt) {
    Chunk chunk = attempt.chunk();
    Set<String> toExtract = plan(attempt);
    for (int pass = 1; ; pass++) {
      Extracted extracted = extractMessages(attempt, toExtract);
      attempt.progress(0, "writing");
      try {
        Written written = writer.write(attempt, toExtract, extracted.graph(), extracted.vectors());
        attempt.progress(chunk.messages().size(), "written");
        // Every follow chunk and every deletion at info; a page of history is the usual case.
        boolean notable = chunk.followRound() != null || written.changes().deleted() > 0;
        LOG.logf(
            notable ? Logger.Level.INFO : Logger.Level.DEBUG,
            "%s written: %d created, %d updated, %d unchanged, %d deleted",
            attempt.describe(),
            written.changes().created(),
            written.changes().updated(),
            written.changes().unchanged(),
            written.changes().deleted());
        return new Extraction(
            chunk.messages().size(),
            written.entities(),
            written.relationships(),
            written.embeddings(),
            extracted.llm(),
            written.changes());
      } catch (OutdatedPlanException outdated) {
        if (pass >= PASSES) {
          throw outdated;
        }
        LOG.infof(
            "%s: extracting %d more messages that changed since the attempt read them: %s",
            attempt.describe(), outdated.messageIds().size(), outdated.messageIds());
        Set<String> more = new TreeSet<>(toExtract);
        more.addAll(outdated.messageIds());
        toExtract = more;
      }
    }
  }

  /**
   * The messages to extract: new or changed ones by what is stored now. Unchanged ones (same
   * changeKey) and those an equal or newer chunk of the job stored cost no LLM call and no
   * embedding; the write checks again under its locks.
   */
  private Set<String> plan(ChunkAttempt attempt) {
    Chunk chunk = attempt.chunk();
    Set<String> ids = new TreeSet<>();
    chunk.messages().forEach(m -> ids.add(m.id()));
    if (ids.isEmpty()) {
      return ids;
    }
    long deadline = attempt.createdNanos() + workerConfig.chunkDeadline().toNanos();
    UUID job = UUID.fromString(chunk.jobId().value());
    return retry.call(
        "read_versions",
        attempt.describe(),
        deadline,
        () ->
            QuarkusTransaction.requiringNew()
                .call(
                    () -> {
                      Stored stored = changes.stored(chunk.tenantId(), ids);
                      Set<String> planned = new TreeSet<>();
                      for (MailMessage m : chunk.messages()) {
                        Kind kind =
                            MailChanges.ofMessage(
                                m,
                                job,
                                chunk.seq(),
                                stored.versions().get(m.id()),
                                stored.tombstonesOf(m.id()));
                        if (kind == Kind.CREATED || kind == Kind.UPDATED) {
                          planned.add(m.id());
                        }
                      }
                      return planned;
                    }));
  }

  private record Extracted(ExtractedGraph graph, List<MessageEmbedding> vectors, LlmOutcome llm) {}

  /** Rules, the LLM and embeddings for these messages of the chunk only. */
  private Extracted extractMessages(ChunkAttempt attempt, Set<String> messageIds) {
    Chunk whole = attempt.chunk();
    List<MailMessage> messages =
        whole.messages().stream().filter(m -> messageIds.contains(m.id())).toList();
    if (messages.isEmpty()) {
      return new Extracted(
          new ExtractedGraph(List.of(), List.of(), List.of()),
          List.of(),
          new LlmOutcome(
              LlmStatus.OK,
              0,
              0,
              0,
              0,
              "no message to extract: every one unchanged or already applied"));
    }
    Chunk chunk =
        new Chunk(
            whole.eventId(),
            whole.schemaVersion(),
            whole.occurredAt(),
            whole.tenantId(),
            whole.jobId(),
            whole.runId(),
            whole.seq(),
            messages,
            whole.last(),
            whole.followRound(),
            List.of(),
            null);
    attempt.progress(0, "rules");
    ExtractedGraph ruleGraph = rules.extract(chunk);
    attempt.checkNotCancelled();
    attempt.progress(0, "llm");
    LlmResult llmResult;
    try {
      llmResult = llm.extract(chunk, llmDeadline(attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AttemptCancelledException(
          attempt.cancelReason() == null ? "interrupted" : attempt.cancelReason());
    }
    attempt.checkNotCancelled();
    ExtractedGraph graph = LlmGraph.merge(ruleGraph, llmResult.answers());
    attempt.progress(0, "embeddings");
    List<MessageEmbedding> vectors =
        embedder.embed(
            chunk.messages(),
            done -> {
              attempt.progress(done, "embeddings");
              attempt.checkNotCancelled();
            });
    return new Extracted(graph, vectors, llmResult.outcome());
  }

  /**
   * The LLM phase ends at its own deadline, and in any case {@code reserve} before the attempt's:
   * then the embeddings and the write still fit, and the outcome is reported instead of lost.
   */
  private long llmDeadline(ChunkAttempt attempt) {
    long own = System.nanoTime() + llmConfig.chunkDeadline().toNanos();
    long attemptDeadline =
        attempt.createdNanos()
            + workerConfig.chunkDeadline().toNanos()
            - llmConfig.reserve().toNanos();
    return attemptDeadline - own < 0 ? attemptDeadline : own;
  }
}
