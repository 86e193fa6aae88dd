package io.backfill.contracts.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {

  @Test
  void sameTenantAndRequestAlwaysDeriveTheSameJob() {
    assertThat(JobId.derive("contoso", "r-1")).isEqualTo(JobId.derive("contoso", "r-1"));
  }

  @Test
  void differentTenantsOrRequestsDeriveDifferentJobs() {
    assertThat(JobId.derive("contoso", "r-1")).isNotEqualTo(JobId.derive("contoso", "r-2"));
    assertThat(JobId.derive("contoso", "r-1")).isNotEqualTo(JobId.derive("fabrikam", "r-1"));
    assertThat(JobId.derive("a:b", "c")).isNotEqualTo(JobId.derive("a", "b:c"));
  }

  @Test
  void derivedJobIdIsStableAcrossReleases() {
    // Pinned: changing the derivation would split one request into two jobs across a deploy.
    assertThat(JobId.derive("contoso", "r-1").value())
        .isEqualTo("2fc7efc7-bdca-38bf-b475-9bff43b8cecf");
  }

  @Test
  void runIdsNameTheirLaneJobAndSeq() {
    JobId job = JobId.derive("contoso", "r-1");

    RunId fetch = RunId.fetch(job);
    RunId extract = RunId.extract(job, 42);

    assertThat(fetch.value()).isEqualTo("fetch:" + job.value());
    assertThat(fetch.lane()).isEqualTo(Lane.FETCH);
    assertThat(fetch.jobId()).isEqualTo(job);
    assertThat(extract.value()).isEqualTo("extract:" + job.value() + ":42");
    assertThat(extract.lane()).isEqualTo(Lane.EXTRACT);
    assertThat(extract.seq()).isEqualTo(42);
    assertThat(extract.jobId()).isEqualTo(job);
    assertThat(new RunId(extract.value())).isEqualTo(extract);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "fetch:",
        "fetch:123",
        "extract:9a0e9fc3-8d62-3d30-9a31-2da7a1b2c3f0",
        "fetch:9a0e9fc3-8d62-3d30-9a31-2da7a1b2c3f0:1",
        "extract:9a0e9fc3-8d62-3d30-9a31-2da7a1b2c3f0:0",
        "extract:9a0e9fc3-8d62-3d30-9a31-2da7a1b2c3f0:007",
        "extract:9a0e9fc3-8d62-3d30-9a31-2da7a1b2c3f0:+3",
        "reap:9a0e9fc3-8d62-3d30-9a31-2da7a1b2c3f0"
      })
  void malformedRunIdsAreRejected(String value) {
    assertThatThrownBy(() -> new RunId(value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void seqCountsFromOne() {
    JobId job = JobId.derive("contoso", "r-1");
    assertThatThrownBy(() -> RunId.extract(job, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunId.fetch(job).seq()).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "JOB-1", "9A0E9FC3-8D62-3D30-9A31-2DA7A1B2C3F0", "9a0e9fc3"})
  void jobIdMustBeACanonicalUuid(String value) {
    assertThatThrownBy(() -> new JobId(value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void attemptIdParsesOnlyCanonicalUuids() {
    AttemptId id = AttemptId.random();
    assertThat(AttemptId.parse(id.toString())).isEqualTo(id);
    assertThatThrownBy(() -> AttemptId.parse("+1")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lanesHaveLowerCaseWireNames() {
    assertThat(Lane.fromWireName("fetch")).isEqualTo(Lane.FETCH);
    assertThat(Lane.EXTRACT.wireName()).isEqualTo("extract");
    assertThatThrownBy(() -> Lane.fromWireName("FETCH"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fetch, extract or follow");
  }

  @Test
  void aFollowRunIsARoundOfItsJob() {
    JobId job = new JobId("0f8fad5b-d9cb-469f-a165-70867728950e");
    RunId round = RunId.follow(job, 3);
    assertThat(round.value()).isEqualTo("follow:0f8fad5b-d9cb-469f-a165-70867728950e:3");
    assertThat(round.lane()).isEqualTo(Lane.FOLLOW);
    assertThat(round.round()).isEqualTo(3);
    assertThat(round.jobId()).isEqualTo(job);
    assertThat(new RunId(round.value())).isEqualTo(round);
    assertThatThrownBy(round::seq).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new RunId("follow:" + job.value()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunId.follow(job, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
