package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The job side of the read model as the projection writes it: job views ({@link JobView}) and the
 * rounds of followed jobs ({@code follow_rounds}). Callers own the transaction.
 */
@ApplicationScoped
public class JobStore {

  private final EntityManager em;

  JobStore(EntityManager em) {
    this.em = em;
  }

  /** The job's view, managed by this transaction: changes to it are written at commit. */
  public Optional<JobView> find(UUID jobId) {
    return Optional.ofNullable(JobView.findById(jobId));
  }

  /** Makes a new view managed (an existing one already is); written at commit. */
  public void save(JobView view) {
    view.persist();
  }

  /** Records a completed round of a followed job; a round stored already stays as it is. */
  public void recordRound(
      String tenantId, UUID jobId, int round, Instant roundStartedAt, int resyncedFolders) {
    em.createNativeQuery(
            "INSERT INTO follow_rounds (tenant_id, job_id, round, round_started_at,"
                + " resynced_folders) VALUES (:tenant, :job, :round, :started, :resynced)"
                + " ON CONFLICT (tenant_id, job_id, round) DO NOTHING")
        .setParameter("tenant", tenantId)
        .setParameter("job", jobId)
        .setParameter("round", round)
        .setParameter("started", roundStartedAt)
        .setParameter("resynced", resyncedFolders)
        .executeUpdate();
  }

  /**
   * The tenant the gateway knows the job by: from its view, else from its submission; empty when it
   * knows neither.
   */
  public Optional<String> tenantOf(UUID jobId) {
    // A view created earlier in this transaction (a batch of events) must be seen by this query.
    em.flush();
    List<?> owners =
        em.createNativeQuery(
                "SELECT tenant_id FROM job_views WHERE job_id = :job"
                    + " UNION ALL SELECT tenant_id FROM submitted_requests WHERE job_id = :job"
                    + " LIMIT 1")
            .setParameter("job", jobId)
            .getResultList();
    return owners.isEmpty() ? Optional.empty() : Optional.of((String) owners.get(0));
  }
}
