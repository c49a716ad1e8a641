-- When a site's status last changed: the provisioning time bound and the console's "failing for" read it.
ALTER TABLE "Site" ADD COLUMN "statusSince" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP;
UPDATE "Site" SET "statusSince" = "updatedAt";
