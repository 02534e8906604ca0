-- 0006_scans (Sqlite): venue check-ins (append-only, written in batches, deleted after the retention period) and
-- per-venue entry rules. Generated from the EF model with 'cordon schema-script' (statements not in 0001-0005), then
-- reviewed. On PostgreSQL the Scans table is designed to become partitioned by day: see docs/decisions/010.

CREATE TABLE "Scans" (
    "ResidentId" INTEGER NOT NULL,
    "ClientId" TEXT NOT NULL,
    "ScannedAt" TEXT NOT NULL,
    "VenueId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "Decision" INTEGER NOT NULL,
    "Reason" INTEGER NOT NULL,
    CONSTRAINT "PK_Scans" PRIMARY KEY ("ResidentId", "ClientId")
);

CREATE TABLE "VenueRuleOverrides" (
    "VenueId" INTEGER NOT NULL CONSTRAINT "PK_VenueRuleOverrides" PRIMARY KEY,
    "MaxColour" INTEGER NOT NULL,
    "PopupAllowed" INTEGER NOT NULL,
    "NegativeTestHours" INTEGER NULL,
    "UpdatedAt" TEXT NOT NULL,
    "UpdatedBy" TEXT NULL,
    CONSTRAINT "FK_VenueRuleOverrides_Venues_VenueId" FOREIGN KEY ("VenueId") REFERENCES "Venues" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Scans_ScannedAt" ON "Scans" ("ScannedAt");

CREATE INDEX "IX_Scans_VenueId_ScannedAt" ON "Scans" ("VenueId", "ScannedAt");
