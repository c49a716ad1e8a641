-- One-click applications (WordPress) installed into sites, with their progress.
-- CreateTable
CREATE TABLE "AppInstall" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "siteId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "message" TEXT,
    "version" TEXT,
    "databaseId" TEXT,
    "adminUser" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    CONSTRAINT "AppInstall_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "AppInstall_siteId_key" ON "AppInstall"("siteId");

-- CreateIndex
CREATE INDEX "AppInstall_tenantId_idx" ON "AppInstall"("tenantId");

