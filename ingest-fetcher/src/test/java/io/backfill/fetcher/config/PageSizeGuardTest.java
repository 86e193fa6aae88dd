package io.backfill.fetcher.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A Graph page must fit in one chunk; the packaged start is shown by PageSizeAboveChunkLimitIT. */
class PageSizeGuardTest {

  @Test
  void pageSizeOfAtMostTheChunkLimitIsAccepted() {
    assertThatCode(() -> PageSizeGuard.check(100)).doesNotThrowAnyException();
    assertThatCode(() -> PageSizeGuard.check(1)).doesNotThrowAnyException();
  }

  @Test
  void pageSizeAboveTheChunkLimitIsRefusedNamingBothSettings() {
    assertThatThrownBy(() -> PageSizeGuard.check(101))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("backfill.graph.page-size=101")
        .hasMessageContaining("Chunk.MAX_MESSAGES=100");
  }

  @Test
  void pageSizeBelowOneIsRefused() {
    assertThatThrownBy(() -> PageSizeGuard.check(0))
        .hasMessageContaining("backfill.graph.page-size=0");
  }
}
