package io.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterIdTest {

  @Test
  void neverStartsWithADashAndIsAlways22Base64UrlCharacters() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = ClusterId.random();
      assertThat(id).doesNotStartWith("-").hasSize(22).matches("[A-Za-z0-9_-]{22}");
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
  }
}
