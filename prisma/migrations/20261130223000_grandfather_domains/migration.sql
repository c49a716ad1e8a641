-- Hostnames added before ownership verification existed were served already: they stay verified.
UPDATE "Domain" SET "verifiedAt" = "createdAt" WHERE "verifiedAt" IS NULL AND "verifyToken" IS NULL;
