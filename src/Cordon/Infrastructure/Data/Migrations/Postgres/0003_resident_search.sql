-- 0003_resident_search (Postgres): name search at city scale (docs/benchmarks.md, "Registry").
-- With the default statistics target the planner estimated a common surname prefix (张) at ~100 rows instead of
-- ~10,000 and chose bitmap plans that read and sorted the whole prefix; 1000 histogram buckets fix the estimates.
ALTER TABLE "Residents" ALTER COLUMN "Name" SET STATISTICS 1000;

-- A community worker's search reads only their community's names in order.
CREATE INDEX "IX_Residents_AreaCode_Name_Id" ON "Residents" ("AreaCode", "Name", "Id");
