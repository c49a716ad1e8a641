-- Backups (restic snapshots and restores), cron jobs per site, SFTP accounts and keys.
-- CreateTable
CREATE TABLE "Backup" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "tenantSlug" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "message" TEXT,
    "snapshotId" TEXT,
    "contents" TEXT NOT NULL DEFAULT '{}',
    "sizeBytes" BIGINT,
    "addedBytes" BIGINT,
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "forgottenAt" DATETIME
);

-- CreateTable
CREATE TABLE "Restore" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "backupId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "target" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL,
    "message" TEXT,
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "CronJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "schedule" TEXT NOT NULL,
    "command" TEXT NOT NULL,
    "timeoutSeconds" INTEGER NOT NULL DEFAULT 300,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "nextRunAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CronJob_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CronJob_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CronRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "exitCode" INTEGER,
    "output" TEXT NOT NULL DEFAULT '',
    "truncated" BOOLEAN NOT NULL DEFAULT false,
    "message" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "durationMs" INTEGER,
    CONSTRAINT "CronRun_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "CronJob" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SftpAccount" (
    "tenantId" TEXT NOT NULL PRIMARY KEY,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "passwordHash" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SftpAccount_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SftpKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SftpKey_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Plan: backup schedule and retention, cron limits
ALTER TABLE "Plan" ADD COLUMN "backupSchedule" TEXT NOT NULL DEFAULT 'daily';
ALTER TABLE "Plan" ADD COLUMN "backupKeepDaily" INTEGER NOT NULL DEFAULT 7;
ALTER TABLE "Plan" ADD COLUMN "backupKeepWeekly" INTEGER NOT NULL DEFAULT 4;
ALTER TABLE "Plan" ADD COLUMN "maxCronJobs" INTEGER NOT NULL DEFAULT 10;
ALTER TABLE "Plan" ADD COLUMN "cronMinIntervalMinutes" INTEGER NOT NULL DEFAULT 5;

-- CreateIndex
CREATE INDEX "Backup_tenantId_createdAt_idx" ON "Backup"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "Backup_status_idx" ON "Backup"("status");

-- CreateIndex
CREATE INDEX "Restore_tenantId_createdAt_idx" ON "Restore"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "Restore_status_idx" ON "Restore"("status");

-- CreateIndex
CREATE INDEX "CronJob_tenantId_idx" ON "CronJob"("tenantId");

-- CreateIndex
CREATE INDEX "CronJob_nextRunAt_idx" ON "CronJob"("nextRunAt");

-- CreateIndex
CREATE UNIQUE INDEX "CronJob_siteId_name_key" ON "CronJob"("siteId", "name");

-- CreateIndex
CREATE INDEX "CronRun_jobId_startedAt_idx" ON "CronRun"("jobId", "startedAt");

-- CreateIndex
CREATE INDEX "SftpKey_tenantId_idx" ON "SftpKey"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "SftpKey_tenantId_fingerprint_key" ON "SftpKey"("tenantId", "fingerprint");

