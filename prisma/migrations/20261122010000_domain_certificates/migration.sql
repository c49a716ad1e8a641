-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Domain" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostname" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'primary',
    "redirectTo" TEXT,
    "redirectCode" INTEGER,
    "tlsMode" TEXT NOT NULL DEFAULT 'auto',
    "wwwRedirect" TEXT NOT NULL DEFAULT 'none',
    "customCertPem" TEXT,
    "customKeyEnc" TEXT,
    "certIssuer" TEXT,
    "certNotAfter" DATETIME,
    "certCheckedAt" DATETIME,
    "certError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Domain_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Domain" ("createdAt", "hostname", "id", "kind", "redirectCode", "redirectTo", "siteId", "tenantId", "tlsMode", "updatedAt") SELECT "createdAt", "hostname", "id", "kind", "redirectCode", "redirectTo", "siteId", "tenantId", "tlsMode", "updatedAt" FROM "Domain";
DROP TABLE "Domain";
ALTER TABLE "new_Domain" RENAME TO "Domain";
CREATE UNIQUE INDEX "Domain_hostname_key" ON "Domain"("hostname");
CREATE INDEX "Domain_siteId_idx" ON "Domain"("siteId");
CREATE INDEX "Domain_tenantId_idx" ON "Domain"("tenantId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

