-- Attempts, run outcomes and chunk results are keyed within their tenant. Event producers are
-- untrusted: with global keys, a row another tenant's event wrote first under an attempt id, run
-- id or (job, seq) would hold that key, and the genuine tenant's later events could not write
-- theirs. Reads already name the tenant and the job.
ALTER TABLE run_attempts DROP CONSTRAINT run_attempts_pkey;
ALTER TABLE run_attempts ADD PRIMARY KEY (tenant_id, attempt_id);

ALTER TABLE run_outcomes DROP CONSTRAINT run_outcomes_pkey;
ALTER TABLE run_outcomes ADD PRIMARY KEY (tenant_id, run_id);

ALTER TABLE chunk_results DROP CONSTRAINT chunk_results_pkey;
ALTER TABLE chunk_results ADD PRIMARY KEY (tenant_id, job_id, seq);
