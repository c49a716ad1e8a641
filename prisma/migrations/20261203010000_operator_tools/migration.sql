-- Operator tools: impersonation sessions ("Sign in as this tenant") and the reason of a suspension.
-- AlterTable
ALTER TABLE "Session" ADD COLUMN "impersonatorId" TEXT;
ALTER TABLE "Session" ADD COLUMN "impersonatorSessionId" TEXT;

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN "suspendedReason" TEXT;
