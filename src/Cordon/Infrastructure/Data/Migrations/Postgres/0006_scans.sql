-- 0006_scans (Postgres): venue check-ins (append-only, written in batches, deleted after the retention period) and
-- per-venue entry rules. Generated from the EF model with 'cordon schema-script' (statements not in 0001-0005), then
-- reviewed. On PostgreSQL the Scans table is designed to become partitioned by day: see docs/decisions/010.

CREATE TABLE "Scans" (
    "ResidentId" bigint NOT NULL,
    "ClientId" uuid NOT NULL,
    "ScannedAt" timestamp with time zone NOT NULL,
    "VenueId" integer NOT NULL,
    "AreaCode" character varying(15) COLLATE "C" NOT NULL,
    "Decision" integer NOT NULL,
    "Reason" integer NOT NULL,
    CONSTRAINT "PK_Scans" PRIMARY KEY ("ResidentId", "ClientId")
);

CREATE TABLE "VenueRuleOverrides" (
    "VenueId" integer NOT NULL,
    "MaxColour" integer NOT NULL,
    "PopupAllowed" boolean NOT NULL,
    "NegativeTestHours" integer,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "UpdatedBy" character varying(256),
    CONSTRAINT "PK_VenueRuleOverrides" PRIMARY KEY ("VenueId"),
    CONSTRAINT "FK_VenueRuleOverrides_Venues_VenueId" FOREIGN KEY ("VenueId") REFERENCES "Venues" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Scans_ScannedAt" ON "Scans" ("ScannedAt");

CREATE INDEX "IX_Scans_VenueId_ScannedAt" ON "Scans" ("VenueId", "ScannedAt");
