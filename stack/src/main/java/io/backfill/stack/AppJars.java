package io.backfill.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runnable jar of each application a stack runs, by module: from {@code
 * <module>/target/quarkus-app}, or from a copy under {@code <workDir>/apps/} so that a restarted
 * process runs the build it ran before while other builds rewrite {@code target/}.
 */
final class AppJars {

  private AppJars() {}

  static Map<String, Path> locate(StackConfig config) {
    Map<String, Path> jars = new LinkedHashMap<>();
    for (String module :
        List.of(
            LocalStack.SIMULATOR,
            LocalStack.FETCHER,
            LocalStack.WORKER,
            LocalStack.MONITOR,
            LocalStack.GATEWAY)) {
      Path app = config.projectRoot.resolve(module).resolve("target/quarkus-app");
      if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
        throw new StackStartException(
            module,
            app.resolve("quarkus-run.jar")
                + " does not exist: build it first (./mvnw -B -pl "
                + module
                + " -am package -DskipTests)",
            null,
            null);
      }
      if (config.snapshotApps) {
        Path copy = config.workDir.resolve("apps").resolve(module);
        Directories.copy(app, copy);
        app = copy;
      }
      jars.put(module, app.resolve("quarkus-run.jar"));
    }
    return jars;
  }
}
