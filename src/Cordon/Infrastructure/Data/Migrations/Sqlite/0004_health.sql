-- 0004_health (Sqlite): the stored health status per resident (one row each), its append-only history of changes,
-- and residents' appeals. Generated from the EF model with 'cordon schema-script' (statements not in 0001-0002), then reviewed.

CREATE TABLE "HealthStatusChanges" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_HealthStatusChanges" PRIMARY KEY AUTOINCREMENT,
    "ResidentId" INTEGER NOT NULL,
    "FromColour" INTEGER NULL,
    "ToColour" INTEGER NOT NULL,
    "Reason" TEXT NOT NULL,
    "Popups" TEXT NOT NULL,
    "Source" TEXT NOT NULL,
    "At" TEXT NOT NULL
);

CREATE TABLE "HealthAppeals" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_HealthAppeals" PRIMARY KEY AUTOINCREMENT,
    "ResidentId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "Text" TEXT NOT NULL,
    "Colour" INTEGER NOT NULL,
    "Status" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "DecidedAt" TEXT NULL,
    "DecidedBy" TEXT NULL,
    "Answer" TEXT NULL,
    CONSTRAINT "FK_HealthAppeals_Residents_ResidentId" FOREIGN KEY ("ResidentId") REFERENCES "Residents" ("Id") ON DELETE CASCADE
);

CREATE TABLE "HealthStatuses" (
    "ResidentId" INTEGER NOT NULL CONSTRAINT "PK_HealthStatuses" PRIMARY KEY,
    "AreaCode" TEXT NOT NULL,
    "Colour" INTEGER NOT NULL,
    "Reason" TEXT NOT NULL,
    "Popups" TEXT NOT NULL,
    "LastNegativeSampledAt" TEXT NULL,
    "Since" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "NextCheckAt" TEXT NULL,
    "OverrideColour" INTEGER NULL,
    "OverrideReason" TEXT NULL,
    "OverrideUntil" TEXT NULL,
    "OverrideClearsPopups" INTEGER NOT NULL,
    "OverrideBy" TEXT NULL,
    "OverrideAt" TEXT NULL,
    CONSTRAINT "FK_HealthStatuses_Residents_ResidentId" FOREIGN KEY ("ResidentId") REFERENCES "Residents" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_HealthAppeals_ResidentId_CreatedAt" ON "HealthAppeals" ("ResidentId", "CreatedAt");

CREATE UNIQUE INDEX "IX_HealthAppeals_ResidentId_Open" ON "HealthAppeals" ("ResidentId") WHERE "Status" = 1;

CREATE INDEX "IX_HealthAppeals_Status_AreaCode_Id" ON "HealthAppeals" ("Status", "AreaCode", "Id");

CREATE INDEX "IX_HealthStatusChanges_ResidentId_At" ON "HealthStatusChanges" ("ResidentId", "At");

CREATE INDEX "IX_HealthStatuses_AreaCode_ResidentId" ON "HealthStatuses" ("AreaCode", "ResidentId");

CREATE INDEX "IX_HealthStatuses_NextCheckAt" ON "HealthStatuses" ("NextCheckAt");
