package io.backfill.gateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway's SQL lives in {@code persistence/} stores only: every other package calls a store
 * method and holds no query nor entity manager. Checked on the sources, so a class that brings SQL
 * back elsewhere fails the build with its file and line.
 */
class SqlOnlyInPersistenceTest {

  private static final Path SOURCES = Path.of("src/main/java/io/backfill/gateway");
  private static final Path PERSISTENCE = SOURCES.resolve("persistence");

  /** What only a store may use: native or JPQL queries and the entity manager behind them. */
  private static final List<String> STORE_ONLY =
      List.of(
          "createNativeQuery",
          "createQuery",
          "getEntityManager",
          "EntityManager",
          "jakarta.persistence.Query",
          "org.hibernate.Session");

  /** Borrowing a JDBC connection from the ORM session is not an idiom here, not even in a store. */
  private static final List<String> NOWHERE = List.of("doWork(", "doReturningWork(");

  @Test
  void noClassOutsidePersistenceRunsAQueryOrHoldsTheEntityManager() {
    List<String> found =
        javaFiles().stream()
            .filter(file -> !file.startsWith(PERSISTENCE))
            .flatMap(file -> uses(file, STORE_ONLY))
            .toList();

    assertThat(found).as("move these statements into a persistence/ store").isEmpty();
  }

  @Test
  void noClassReachesAConnectionThroughTheOrmSession() {
    List<String> found = javaFiles().stream().flatMap(file -> uses(file, NOWHERE)).toList();

    assertThat(found).isEmpty();
  }

  @Test
  void theScanSeesTheStoresStatements() {
    List<String> found =
        javaFiles().stream()
            .filter(file -> file.startsWith(PERSISTENCE))
            .flatMap(file -> uses(file, List.of("createNativeQuery")))
            .toList();

    assertThat(found).anyMatch(use -> use.contains("ApiKeyStore.java"));
    assertThat(found).anyMatch(use -> use.contains("OutboxStore.java"));
  }

  private static List<Path> javaFiles() {
    try (Stream<Path> files = Files.walk(SOURCES)) {
      return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "file:line: text" for every line of the file that names one of the tokens. */
  private static Stream<String> uses(Path file, List<String> tokens) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return java.util.stream.IntStream.range(0, lines.size())
        .filter(i -> tokens.stream().anyMatch(lines.get(i)::contains))
        .mapToObj(i -> SOURCES.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
  }
}
