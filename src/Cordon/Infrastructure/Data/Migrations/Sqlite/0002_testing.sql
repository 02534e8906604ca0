-- 0002_testing (Sqlite): nucleic-acid testing platform: sampling sites, slots, appointments, sampling codes,
-- tubes and members, transport boxes, labs, results, retests, case candidates, screening rounds, antigen reports.
-- Generated from the EF model with 'cordon schema-script' (statements not in 0001), then reviewed.

CREATE TABLE "AntigenReports" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AntigenReports" PRIMARY KEY AUTOINCREMENT,
    "ResidentId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "Result" INTEGER NOT NULL,
    "TakenAt" TEXT NOT NULL,
    "ReportedAt" TEXT NOT NULL,
    "Photo" TEXT NULL
);

CREATE TABLE "CaseCandidates" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_CaseCandidates" PRIMARY KEY AUTOINCREMENT,
    "ResidentId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "TubeId" INTEGER NOT NULL,
    "CtValue" REAL NULL,
    "Status" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE TABLE "KeyGroupTestingRules" (
    "KeyGroup" INTEGER NOT NULL CONSTRAINT "PK_KeyGroupTestingRules" PRIMARY KEY,
    "IntervalHours" INTEGER NOT NULL
);

CREATE TABLE "Labs" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Labs" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "Address" TEXT NOT NULL
);

CREATE TABLE "PersonResults" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_PersonResults" PRIMARY KEY AUTOINCREMENT,
    "ResidentId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "TubeId" INTEGER NOT NULL,
    "Kind" INTEGER NOT NULL,
    "SampledAt" TEXT NOT NULL,
    "ReleasedAt" TEXT NOT NULL
);

CREATE TABLE "ResultImports" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ResultImports" PRIMARY KEY AUTOINCREMENT,
    "LabId" INTEGER NOT NULL,
    "FileHash" TEXT NOT NULL,
    "Rows" INTEGER NOT NULL,
    "ImportedAt" TEXT NOT NULL,
    "ImportedBy" TEXT NULL
);

CREATE TABLE "RetestOrders" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RetestOrders" PRIMARY KEY AUTOINCREMENT,
    "ResidentId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "PoolTubeId" INTEGER NOT NULL,
    "RetestTubeId" INTEGER NULL,
    "Status" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "DueAt" TEXT NOT NULL
);

CREATE TABLE "ScreeningRounds" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ScreeningRounds" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "StartsAt" TEXT NOT NULL,
    "EndsAt" TEXT NOT NULL,
    "KeyGroups" TEXT NULL,
    "Status" INTEGER NOT NULL,
    "CreatedBy" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "ClosedAt" TEXT NULL
);

CREATE TABLE "TransportBoxes" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_TransportBoxes" PRIMARY KEY AUTOINCREMENT,
    "Code" TEXT NOT NULL,
    "SiteId" INTEGER NOT NULL,
    "LabId" INTEGER NULL,
    "Status" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "DispatchedAt" TEXT NULL,
    "DispatchedBy" TEXT NULL,
    "Courier" TEXT NULL,
    "ReceivedAt" TEXT NULL,
    "ReceivedBy" TEXT NULL
);

CREATE TABLE "SamplingSites" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_SamplingSites" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "Address" TEXT NOT NULL,
    "Latitude" REAL NULL,
    "Longitude" REAL NULL,
    "Kind" INTEGER NOT NULL,
    "Status" INTEGER NOT NULL,
    "SlotMinutes" INTEGER NOT NULL,
    "CapacityPerSlot" INTEGER NOT NULL,
    "OpeningHours" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_SamplingSites_Areas_AreaCode" FOREIGN KEY ("AreaCode") REFERENCES "Areas" ("Code") ON DELETE RESTRICT
);

CREATE TABLE "ScreeningRoundAreas" (
    "RoundId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    CONSTRAINT "PK_ScreeningRoundAreas" PRIMARY KEY ("RoundId", "AreaCode"),
    CONSTRAINT "FK_ScreeningRoundAreas_ScreeningRounds_RoundId" FOREIGN KEY ("RoundId") REFERENCES "ScreeningRounds" ("Id") ON DELETE CASCADE
);

CREATE TABLE "SamplingCodes" (
    "ResidentId" INTEGER NOT NULL CONSTRAINT "PK_SamplingCodes" PRIMARY KEY,
    "Code" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_SamplingCodes_Residents_ResidentId" FOREIGN KEY ("ResidentId") REFERENCES "Residents" ("Id") ON DELETE CASCADE
);

CREATE TABLE "Appointments" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Appointments" PRIMARY KEY AUTOINCREMENT,
    "ResidentId" INTEGER NOT NULL,
    "SiteId" INTEGER NOT NULL,
    "SlotStartsAt" TEXT NOT NULL,
    "Day" TEXT NOT NULL,
    "Status" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "CancelledAt" TEXT NULL,
    CONSTRAINT "FK_Appointments_Residents_ResidentId" FOREIGN KEY ("ResidentId") REFERENCES "Residents" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_Appointments_SamplingSites_SiteId" FOREIGN KEY ("SiteId") REFERENCES "SamplingSites" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "SiteSlots" (
    "SiteId" INTEGER NOT NULL,
    "StartsAt" TEXT NOT NULL,
    "Booked" INTEGER NOT NULL,
    CONSTRAINT "PK_SiteSlots" PRIMARY KEY ("SiteId", "StartsAt"),
    CONSTRAINT "FK_SiteSlots_SamplingSites_SiteId" FOREIGN KEY ("SiteId") REFERENCES "SamplingSites" ("Id") ON DELETE CASCADE
);

CREATE TABLE "SiteStaff" (
    "SiteId" INTEGER NOT NULL,
    "UserId" TEXT NOT NULL,
    CONSTRAINT "PK_SiteStaff" PRIMARY KEY ("SiteId", "UserId"),
    CONSTRAINT "FK_SiteStaff_SamplingSites_SiteId" FOREIGN KEY ("SiteId") REFERENCES "SamplingSites" ("Id") ON DELETE CASCADE
);

CREATE TABLE "Tubes" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Tubes" PRIMARY KEY AUTOINCREMENT,
    "Barcode" TEXT NOT NULL,
    "PoolSize" INTEGER NOT NULL,
    "SiteId" INTEGER NOT NULL,
    "BoxId" INTEGER NULL,
    "Status" INTEGER NOT NULL,
    "Result" INTEGER NOT NULL,
    "CtValue" REAL NULL,
    "RetestOfTubeId" INTEGER NULL,
    "OpenedBy" TEXT NULL,
    "OpenedAt" TEXT NOT NULL,
    "CollectedAt" TEXT NULL,
    "BoxedAt" TEXT NULL,
    "DispatchedAt" TEXT NULL,
    "ReceivedAt" TEXT NULL,
    "TestedAt" TEXT NULL,
    "ReleasedAt" TEXT NULL,
    "VoidReason" TEXT NULL,
    CONSTRAINT "FK_Tubes_SamplingSites_SiteId" FOREIGN KEY ("SiteId") REFERENCES "SamplingSites" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "TubeMembers" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_TubeMembers" PRIMARY KEY AUTOINCREMENT,
    "TubeId" INTEGER NOT NULL,
    "ResidentId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "SampledAt" TEXT NOT NULL,
    "InOpenTube" INTEGER NOT NULL,
    "AppointmentId" INTEGER NULL,
    "SampledBy" TEXT NULL,
    CONSTRAINT "FK_TubeMembers_Tubes_TubeId" FOREIGN KEY ("TubeId") REFERENCES "Tubes" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_AntigenReports_AreaCode_Id" ON "AntigenReports" ("AreaCode", "Id");

CREATE UNIQUE INDEX "IX_AntigenReports_ResidentId_TakenAt" ON "AntigenReports" ("ResidentId", "TakenAt");

CREATE UNIQUE INDEX "IX_Appointments_ResidentId_Day" ON "Appointments" ("ResidentId", "Day") WHERE "Status" = 1;

CREATE INDEX "IX_Appointments_SiteId_SlotStartsAt" ON "Appointments" ("SiteId", "SlotStartsAt");

CREATE INDEX "IX_CaseCandidates_AreaCode_Status" ON "CaseCandidates" ("AreaCode", "Status");

CREATE UNIQUE INDEX "IX_CaseCandidates_TubeId" ON "CaseCandidates" ("TubeId");

CREATE INDEX "IX_PersonResults_AreaCode_SampledAt_ResidentId_Kind" ON "PersonResults" ("AreaCode", "SampledAt", "ResidentId", "Kind");

CREATE INDEX "IX_PersonResults_ResidentId_ReleasedAt" ON "PersonResults" ("ResidentId", "ReleasedAt");

CREATE UNIQUE INDEX "IX_PersonResults_TubeId_ResidentId" ON "PersonResults" ("TubeId", "ResidentId");

CREATE UNIQUE INDEX "IX_ResultImports_LabId_FileHash" ON "ResultImports" ("LabId", "FileHash");

CREATE INDEX "IX_RetestOrders_AreaCode_Status" ON "RetestOrders" ("AreaCode", "Status");

CREATE UNIQUE INDEX "IX_RetestOrders_PoolTubeId_ResidentId" ON "RetestOrders" ("PoolTubeId", "ResidentId");

CREATE INDEX "IX_RetestOrders_ResidentId_Status" ON "RetestOrders" ("ResidentId", "Status");

CREATE UNIQUE INDEX "IX_SamplingCodes_Code" ON "SamplingCodes" ("Code");

CREATE INDEX "IX_SamplingSites_AreaCode_Id" ON "SamplingSites" ("AreaCode", "Id");

CREATE INDEX "IX_ScreeningRounds_Status_EndsAt" ON "ScreeningRounds" ("Status", "EndsAt");

CREATE INDEX "IX_SiteStaff_UserId" ON "SiteStaff" ("UserId");

CREATE UNIQUE INDEX "IX_TransportBoxes_Code" ON "TransportBoxes" ("Code");

CREATE INDEX "IX_TransportBoxes_LabId_Status" ON "TransportBoxes" ("LabId", "Status");

CREATE INDEX "IX_TubeMembers_AreaCode_SampledAt_ResidentId" ON "TubeMembers" ("AreaCode", "SampledAt", "ResidentId");

CREATE UNIQUE INDEX "IX_TubeMembers_ResidentId_Open" ON "TubeMembers" ("ResidentId") WHERE "InOpenTube";

CREATE INDEX "IX_TubeMembers_ResidentId_SampledAt" ON "TubeMembers" ("ResidentId", "SampledAt");

CREATE UNIQUE INDEX "IX_TubeMembers_TubeId_ResidentId" ON "TubeMembers" ("TubeId", "ResidentId");

CREATE UNIQUE INDEX "IX_Tubes_Barcode" ON "Tubes" ("Barcode");

CREATE INDEX "IX_Tubes_BoxId" ON "Tubes" ("BoxId");

CREATE INDEX "IX_Tubes_SiteId_Status" ON "Tubes" ("SiteId", "Status");

CREATE INDEX "IX_Tubes_Status_CollectedAt" ON "Tubes" ("Status", "CollectedAt");
