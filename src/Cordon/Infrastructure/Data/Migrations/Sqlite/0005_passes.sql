-- 0005_passes (Sqlite): pass signing keys (ADR 008), one per rotation slot; the unique slot start keeps two hosts
-- from creating two keys for the same slot. Generated from the EF model with 'cordon schema-script', then reviewed.

CREATE TABLE "PassSigningKeys" (
    "KeyId" TEXT NOT NULL CONSTRAINT "PK_PassSigningKeys" PRIMARY KEY,
    "SlotStart" TEXT NOT NULL,
    "SlotEnd" TEXT NOT NULL,
    "RetireAt" TEXT NOT NULL,
    "PublicX" TEXT NOT NULL,
    "PublicY" TEXT NOT NULL,
    "PrivateKeyCipher" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE INDEX "IX_PassSigningKeys_RetireAt" ON "PassSigningKeys" ("RetireAt");
CREATE UNIQUE INDEX "IX_PassSigningKeys_SlotStart" ON "PassSigningKeys" ("SlotStart");
