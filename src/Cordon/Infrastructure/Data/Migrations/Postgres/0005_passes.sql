-- 0005_passes (Postgres): pass signing keys (ADR 008), one per rotation slot; the unique slot start keeps two hosts
-- from creating two keys for the same slot. Generated from the EF model with 'cordon schema-script', then reviewed.

CREATE TABLE "PassSigningKeys" (
    "KeyId" character varying(32) NOT NULL,
    "SlotStart" timestamp with time zone NOT NULL,
    "SlotEnd" timestamp with time zone NOT NULL,
    "RetireAt" timestamp with time zone NOT NULL,
    "PublicX" character varying(43) NOT NULL,
    "PublicY" character varying(43) NOT NULL,
    "PrivateKeyCipher" character varying(400) NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_PassSigningKeys" PRIMARY KEY ("KeyId")
);

CREATE INDEX "IX_PassSigningKeys_RetireAt" ON "PassSigningKeys" ("RetireAt");
CREATE UNIQUE INDEX "IX_PassSigningKeys_SlotStart" ON "PassSigningKeys" ("SlotStart");
