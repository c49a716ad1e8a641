-- Tenant databases (MariaDB, PostgreSQL), their users and which user may use which database.
-- CreateTable
CREATE TABLE "Database" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "engine" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL DEFAULT 0,
    "sizeCheckedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Database_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DatabaseUser" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "engine" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordEnc" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "DatabaseUser_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DatabaseGrant" (
    "databaseId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("databaseId", "userId"),
    CONSTRAINT "DatabaseGrant_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DatabaseGrant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "DatabaseUser" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Plans: how many databases, and how many connections each database user may hold.
ALTER TABLE "Plan" ADD COLUMN "maxDatabases" INTEGER NOT NULL DEFAULT 5;
ALTER TABLE "Plan" ADD COLUMN "dbMaxConnections" INTEGER NOT NULL DEFAULT 15;

-- CreateIndex
CREATE INDEX "Database_tenantId_idx" ON "Database"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "Database_engine_name_key" ON "Database"("engine", "name");

-- CreateIndex
CREATE INDEX "DatabaseUser_tenantId_idx" ON "DatabaseUser"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "DatabaseUser_engine_name_key" ON "DatabaseUser"("engine", "name");

-- CreateIndex
CREATE INDEX "DatabaseGrant_userId_idx" ON "DatabaseGrant"("userId");
