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

  @Test
  void threadsAreToldApartByTheNamesHotSpotGivesThem() {
    assertThat(ProcFs.ThreadKind.of("C2 CompilerThre")).isEqualTo(ProcFs.ThreadKind.JIT);
    assertThat(ProcFs.ThreadKind.of("C1 CompilerThre")).isEqualTo(ProcFs.ThreadKind.JIT);
    assertThat(ProcFs.ThreadKind.of("GC Thread#1")).isEqualTo(ProcFs.ThreadKind.GC);
    assertThat(ProcFs.ThreadKind.of("G1 Conc#0")).isEqualTo(ProcFs.ThreadKind.GC);
    assertThat(ProcFs.ThreadKind.of("G1 Refine#0")).isEqualTo(ProcFs.ThreadKind.GC);
    assertThat(ProcFs.ThreadKind.of("executor-thread")).isEqualTo(ProcFs.ThreadKind.OTHER);
    assertThat(ProcFs.ThreadKind.of("VM Thread")).isEqualTo(ProcFs.ThreadKind.GC);
    assertThat(ProcFs.ThreadKind.of("VM Periodic Tas")).isEqualTo(ProcFs.ThreadKind.OTHER);
    assertThat(ProcFs.threadName("77 (C2 CompilerThre) S 1 2")).isEqualTo("C2 CompilerThre");
  }

  @Test
  void thisJvmsCompilerThreadsHaveBeenRead() {
    // A JVM that has run this far has compiled methods: its compiler threads have used CPU.
    long self = ProcessHandle.current().pid();

    assertThat(ProcFs.threadCpuSeconds(self)).containsKey(ProcFs.ThreadKind.JIT);
  }
}
