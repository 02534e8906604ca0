-- 0008_checkpoints (Sqlite): community checkpoints (卡口) with their policy, passages (append-only, unique per
-- console-generated id so a resent passage is stored once) and registered outsiders.
-- Generated from the EF model with 'cordon schema-script' (statements not in 0001-0007), then reviewed.

CREATE TABLE "Checkpoints" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Checkpoints" PRIMARY KEY AUTOINCREMENT,
    "AreaCode" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "LocationNote" TEXT NULL,
    "Active" INTEGER NOT NULL,
    "AllowedColours" INTEGER NOT NULL,
    "AllowPopups" INTEGER NOT NULL,
    "RequiredTestHours" INTEGER NULL,
    "TemperatureThreshold" REAL NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_Checkpoints_Areas_AreaCode" FOREIGN KEY ("AreaCode") REFERENCES "Areas" ("Code") ON DELETE RESTRICT
);

CREATE TABLE "Outsiders" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Outsiders" PRIMARY KEY AUTOINCREMENT,
    "CheckpointId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Phone" TEXT NOT NULL,
    "Purpose" INTEGER NOT NULL,
    "Note" TEXT NULL,
    "RegisteredAt" TEXT NOT NULL,
    "RegisteredBy" TEXT NOT NULL,
    CONSTRAINT "FK_Outsiders_Checkpoints_CheckpointId" FOREIGN KEY ("CheckpointId") REFERENCES "Checkpoints" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Passages" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Passages" PRIMARY KEY AUTOINCREMENT,
    "ClientId" TEXT NOT NULL,
    "CheckpointId" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "Source" INTEGER NOT NULL,
    "ResidentId" INTEGER NULL,
    "OutsiderId" INTEGER NULL,
    "At" TEXT NOT NULL,
    "Direction" INTEGER NOT NULL,
    "Temperature" REAL NULL,
    "Fever" INTEGER NOT NULL,
    "IdChecked" INTEGER NOT NULL,
    "Colour" INTEGER NULL,
    "Popups" INTEGER NOT NULL,
    "TestAgeHours" REAL NULL,
    "Decision" INTEGER NOT NULL,
    "Reason" TEXT NOT NULL,
    "RecordedBy" TEXT NOT NULL,
    "ReceivedAt" TEXT NOT NULL,
    CONSTRAINT "FK_Passages_Checkpoints_CheckpointId" FOREIGN KEY ("CheckpointId") REFERENCES "Checkpoints" ("Id") ON DELETE RESTRICT
);

CREATE INDEX "IX_Checkpoints_AreaCode_Id" ON "Checkpoints" ("AreaCode", "Id");

CREATE UNIQUE INDEX "IX_Checkpoints_AreaCode_Name" ON "Checkpoints" ("AreaCode", "Name");

CREATE INDEX "IX_Outsiders_AreaCode_RegisteredAt" ON "Outsiders" ("AreaCode", "RegisteredAt");

CREATE INDEX "IX_Outsiders_CheckpointId_RegisteredAt" ON "Outsiders" ("CheckpointId", "RegisteredAt");

CREATE INDEX "IX_Passages_AreaCode_At" ON "Passages" ("AreaCode", "At");

CREATE INDEX "IX_Passages_CheckpointId_At" ON "Passages" ("CheckpointId", "At");

CREATE UNIQUE INDEX "IX_Passages_ClientId" ON "Passages" ("ClientId");

CREATE INDEX "IX_Passages_ResidentId_At" ON "Passages" ("ResidentId", "At");
