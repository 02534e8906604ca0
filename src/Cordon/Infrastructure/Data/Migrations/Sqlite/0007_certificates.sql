-- 0007_certificates (Sqlite): our document signers for EU DCC test certificates (X.509 certificate, encrypted key).
-- Generated from the EF model with 'cordon schema-script' (statements of this feature only), then reviewed.

CREATE TABLE "CertificateSigners" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_CertificateSigners" PRIMARY KEY AUTOINCREMENT,
    "KeyId" TEXT NOT NULL,
    "Certificate" TEXT NOT NULL,
    "PrivateKeyCipher" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE UNIQUE INDEX "IX_CertificateSigners_KeyId" ON "CertificateSigners" ("KeyId");
