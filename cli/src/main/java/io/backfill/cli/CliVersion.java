package io.backfill.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code backfill --version}: the version the jar's manifest was built with. */
final class CliVersion implements IVersionProvider {

  @Override
  public String[] getVersion() {
    String version = CliVersion.class.getPackage().getImplementationVersion();
    // Run from classes (tests, IDE) there is no manifest.
    return new String[] {"backfill " + (version == null ? "(development build)" : version)};
  }
}
