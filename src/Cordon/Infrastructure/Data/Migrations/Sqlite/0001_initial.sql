-- 0001_initial (Sqlite): registry (areas, residents, venues), identity and audit.
-- Generated from the EF model with 'cordon schema-script', then reviewed. Never edit an applied migration: add a new file.

CREATE TABLE "Areas" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Areas" PRIMARY KEY AUTOINCREMENT,
    "Code" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Level" INTEGER NOT NULL,
    "ParentCode" TEXT NULL,
    "Prefix" TEXT NOT NULL,
    "Latitude" REAL NULL,
    "Longitude" REAL NULL,
    "BoundaryGeoJson" TEXT NULL,
    CONSTRAINT "AK_Areas_Code" UNIQUE ("Code"),
    CONSTRAINT "FK_Areas_Areas_ParentCode" FOREIGN KEY ("ParentCode") REFERENCES "Areas" ("Code") ON DELETE RESTRICT
);

CREATE TABLE "AspNetRoles" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetRoles" PRIMARY KEY,
    "Name" TEXT NULL,
    "NormalizedName" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL
);

CREATE TABLE "AspNetUsers" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetUsers" PRIMARY KEY,
    "DisplayName" TEXT NOT NULL,
    "JurisdictionCode" TEXT NOT NULL,
    "JurisdictionPrefix" TEXT NOT NULL,
    "ResidentId" INTEGER NULL,
    "IsDemo" INTEGER NOT NULL,
    "UserName" TEXT NULL,
    "NormalizedUserName" TEXT NULL,
    "Email" TEXT NULL,
    "NormalizedEmail" TEXT NULL,
    "EmailConfirmed" INTEGER NOT NULL,
    "PasswordHash" TEXT NULL,
    "SecurityStamp" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL,
    "PhoneNumber" TEXT NULL,
    "PhoneNumberConfirmed" INTEGER NOT NULL,
    "TwoFactorEnabled" INTEGER NOT NULL,
    "LockoutEnd" TEXT NULL,
    "LockoutEnabled" INTEGER NOT NULL,
    "AccessFailedCount" INTEGER NOT NULL
);

CREATE TABLE "AuditEntries" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AuditEntries" PRIMARY KEY AUTOINCREMENT,
    "At" TEXT NOT NULL,
    "UserId" TEXT NULL,
    "UserName" TEXT NULL,
    "Action" INTEGER NOT NULL,
    "Entity" TEXT NOT NULL,
    "EntityKey" TEXT NOT NULL,
    "Details" TEXT NULL
);

CREATE TABLE "Residents" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Residents" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "IdNumberHash" TEXT NOT NULL,
    "IdNumberCipher" TEXT NOT NULL,
    "Phone" TEXT NOT NULL,
    "BirthDate" TEXT NOT NULL,
    "Sex" INTEGER NOT NULL,
    "Household" TEXT NULL,
    "AreaCode" TEXT NOT NULL,
    "Unit" TEXT NULL,
    "Room" TEXT NULL,
    "KeyGroup" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_Residents_Areas_AreaCode" FOREIGN KEY ("AreaCode") REFERENCES "Areas" ("Code") ON DELETE RESTRICT
);

CREATE TABLE "Venues" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Venues" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Category" INTEGER NOT NULL,
    "AreaCode" TEXT NOT NULL,
    "Address" TEXT NOT NULL,
    "Status" INTEGER NOT NULL,
    "VenueCode" TEXT NOT NULL,
    "Latitude" REAL NULL,
    "Longitude" REAL NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_Venues_Areas_AreaCode" FOREIGN KEY ("AreaCode") REFERENCES "Areas" ("Code") ON DELETE RESTRICT
);

CREATE TABLE "AspNetRoleClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetRoleClaims" PRIMARY KEY AUTOINCREMENT,
    "RoleId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetRoleClaims_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetUserClaims" PRIMARY KEY AUTOINCREMENT,
    "UserId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetUserClaims_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserLogins" (
    "LoginProvider" TEXT NOT NULL,
    "ProviderKey" TEXT NOT NULL,
    "ProviderDisplayName" TEXT NULL,
    "UserId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserLogins" PRIMARY KEY ("LoginProvider", "ProviderKey"),
    CONSTRAINT "FK_AspNetUserLogins_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserRoles" (
    "UserId" TEXT NOT NULL,
    "RoleId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserRoles" PRIMARY KEY ("UserId", "RoleId"),
    CONSTRAINT "FK_AspNetUserRoles_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_AspNetUserRoles_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserTokens" (
    "UserId" TEXT NOT NULL,
    "LoginProvider" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Value" TEXT NULL,
    CONSTRAINT "PK_AspNetUserTokens" PRIMARY KEY ("UserId", "LoginProvider", "Name"),
    CONSTRAINT "FK_AspNetUserTokens_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Areas_ParentCode" ON "Areas" ("ParentCode");

CREATE INDEX "IX_AspNetRoleClaims_RoleId" ON "AspNetRoleClaims" ("RoleId");

CREATE UNIQUE INDEX "RoleNameIndex" ON "AspNetRoles" ("NormalizedName");

CREATE INDEX "IX_AspNetUserClaims_UserId" ON "AspNetUserClaims" ("UserId");

CREATE INDEX "IX_AspNetUserLogins_UserId" ON "AspNetUserLogins" ("UserId");

CREATE INDEX "IX_AspNetUserRoles_RoleId" ON "AspNetUserRoles" ("RoleId");

CREATE INDEX "EmailIndex" ON "AspNetUsers" ("NormalizedEmail");

CREATE INDEX "IX_AspNetUsers_JurisdictionPrefix" ON "AspNetUsers" ("JurisdictionPrefix");

CREATE UNIQUE INDEX "UserNameIndex" ON "AspNetUsers" ("NormalizedUserName");

CREATE INDEX "IX_AuditEntries_At" ON "AuditEntries" ("At");

CREATE INDEX "IX_AuditEntries_Entity_EntityKey" ON "AuditEntries" ("Entity", "EntityKey");

CREATE INDEX "IX_AuditEntries_UserId_At" ON "AuditEntries" ("UserId", "At");

CREATE INDEX "IX_Residents_AreaCode_Id" ON "Residents" ("AreaCode", "Id");

CREATE UNIQUE INDEX "IX_Residents_IdNumberHash" ON "Residents" ("IdNumberHash");

CREATE INDEX "IX_Residents_Name_Id" ON "Residents" ("Name", "Id");

CREATE INDEX "IX_Residents_Phone" ON "Residents" ("Phone");

CREATE INDEX "IX_Venues_AreaCode_Id" ON "Venues" ("AreaCode", "Id");

CREATE UNIQUE INDEX "IX_Venues_AreaCode_Name" ON "Venues" ("AreaCode", "Name");

CREATE INDEX "IX_Venues_Name" ON "Venues" ("Name");

CREATE UNIQUE INDEX "IX_Venues_VenueCode" ON "Venues" ("VenueCode");

