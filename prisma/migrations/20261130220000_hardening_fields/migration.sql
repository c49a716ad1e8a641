-- AlterTable
ALTER TABLE "Domain" ADD COLUMN "verifiedAt" DATETIME;
ALTER TABLE "Domain" ADD COLUMN "verifyToken" TEXT;

-- AlterTable
ALTER TABLE "Plan" ADD COLUMN "egressAllow" TEXT NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "User" ADD COLUMN "recoveryCodeHashes" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "User" ADD COLUMN "totpEnabledAt" DATETIME;
ALTER TABLE "User" ADD COLUMN "totpSecretEnc" TEXT;
