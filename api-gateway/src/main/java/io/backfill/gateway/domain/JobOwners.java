package io.backfill.gateway.domain;

import io.backfill.gateway.persistence.JobStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The tenant the gateway knows each job by ({@link JobStore#tenantOf}), remembered for the most
 * recently used jobs: every projected event asks for it, and once a job's view or submission is
 * stored its tenant never changes (neither row is ever deleted nor re-owned). Only a found tenant
 * is remembered, and only once the transaction that read it committed, so a row written by a
 * transaction that rolled back is never taken for the owner. An unknown job is asked again every
 * time: its view or submission may be stored after its first events arrive.
 */
@ApplicationScoped
public class JobOwners {

  /** Jobs remembered; a job read after it fell out is simply looked up again. */
  static final int CAPACITY = 10_000;

  private final JobStore jobs;
  private final AfterCommit afterCommit;
  private final Map<UUID, String> known =
      Collections.synchronizedMap(
          new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, String> eldest) {
              return size() > CAPACITY;
            }
          });

  JobOwners(JobStore jobs, AfterCommit afterCommit) {
    this.jobs = jobs;
    this.afterCommit = afterCommit;
  }

  /** The job's tenant; empty when the gateway knows neither its view nor its submission yet. */
  public Optional<String> tenantOf(UUID jobId) {
    String cached = known.get(jobId);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<String> owner = jobs.tenantOf(jobId);
    owner.ifPresent(tenant -> rememberOnCommit(jobId, tenant));
    return owner;
  }

  private void rememberOnCommit(UUID jobId, String tenant) {
    afterCommit.run(() -> known.put(jobId, tenant));
  }
}
