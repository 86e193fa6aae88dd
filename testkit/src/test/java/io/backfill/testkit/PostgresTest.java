package io.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresTest {

  @Test
  void twoDatabasesAreSeparateAndDropRemovesThem() throws SQLException {
    Postgres postgres = Postgres.instance();
    try (TestDatabase first = postgres.createDatabase("PostgresTest");
        TestDatabase second = postgres.createDatabase("PostgresTest")) {
      assertThat(first.name()).isNotEqualTo(second.name()).matches("postgrestest_[0-9a-f]{8}");
      assertThat(first.jdbcUrl()).isNotEqualTo(second.jdbcUrl());

      try (Connection connection = connect(first);
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE only_in_first (id int)");
        statement.execute("INSERT INTO only_in_first VALUES (1)");
      }
      try (Connection connection = connect(second);
          Statement statement = connection.createStatement()) {
        assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM only_in_first"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("only_in_first");
      }

      // A session still open on the database is ended, not an obstacle to the drop.
      try (Connection open = connect(first)) {
        first.drop();
        assertThat(open.isValid(2)).isFalse();
      }
      assertThat(postgres.databaseExists(first.name())).isFalse();
      assertThat(postgres.databaseExists(second.name())).isTrue();
    }
  }

  @Test
  void databaseNamesAreValidLowercaseIdentifiers() {
    assertThat(Postgres.databaseName("Ingest-Fetcher Test"))
        .matches("ingest_fetcher_test_[0-9a-f]{8}");
    assertThat(Postgres.databaseName("1abc")).matches("db_1abc_[0-9a-f]{8}");
    assertThat(Postgres.databaseName("x".repeat(100))).hasSize(63);
  }

  private static Connection connect(TestDatabase database) throws SQLException {
    return DriverManager.getConnection(
        database.jdbcUrl(), database.username(), database.password());
  }
}
