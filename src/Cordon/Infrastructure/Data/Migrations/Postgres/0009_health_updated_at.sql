-- 0009_health_updated_at (Postgres): an index on the time a stored health status was last written, so that every host
-- finds the rows changed since its last look (the per-host status cache's poller, ADR 013) with an index range.
-- Generated from the EF model with 'cordon schema-script' (statements not in 0001-0008), then reviewed.

CREATE INDEX "IX_HealthStatuses_UpdatedAt" ON "HealthStatuses" ("UpdatedAt");
