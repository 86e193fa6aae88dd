package io.backfill.testkit;

/** A fresh database a test owns; {@link #close()} drops it. */
public final class TestDatabase implements AutoCloseable {

  private final Postgres server;
  private final String name;
  private final String jdbcUrl;
  private final String username;
  private final String password;

  TestDatabase(Postgres server, String name, String jdbcUrl, String username, String password) {
    this.server = server;
    this.name = name;
    this.jdbcUrl = jdbcUrl;
    this.username = username;
    this.password = password;
  }

  public String name() {
    return name;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  /** Ends every session on the database, then drops it. Safe to call twice. */
  public void drop() {
    server.dropDatabase(name);
  }

  @Override
  public void close() {
    drop();
  }

  @Override
  public String toString() {
    return "TestDatabase[" + jdbcUrl + "]";
  }
}
