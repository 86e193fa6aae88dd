package io.backfill.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcFsTest {

  @Test
  void cpuTicksAreUtimePlusStimeEvenWhenTheCommandHasSpacesAndParentheses() {
    String stat =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 12345 0 7 0 1500 250 3 4 20 0 42 0 9999"
            + " 5000000 12000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

    assertThat(ProcFs.cpuTicks(stat)).isEqualTo(1750);
  }

  @Test
  void peakRssIsVmHwmInKib() {
    String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  412340 kB\nVmRSS:\t  400000 kB\n";

    assertThat(ProcFs.peakRssKib(status)).hasValue(412340);
  }

  @Test
  void thisJvmHasCpuTimeAndAPeakRss() {
    long self = ProcessHandle.current().pid();

    assertThat(ProcFs.cpuSeconds(self).orElseThrow()).isPositive();
    assertThat(ProcFs.peakRssKib(self).orElseThrow()).isPositive();
  }
}
