import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from './client.js';
import { applyMigrations, MIGRATIONS_DIR, splitStatements } from './migrate.js';

describe('applyMigrations', () => {
  let dir: string;
  let db: Db | undefined;
  afterEach(async () => {
    await db?.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the schema on a new database, records it as Prisma does, and is a no-op the second time', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-migrate-'));
    db = await createDb({ url: `file:${path.join(dir, 'nested', 'berth.db')}` });
    const first = await applyMigrations({ db, dir: MIGRATIONS_DIR });
    expect(first.length).toBeGreaterThan(0);
    expect(await applyMigrations({ db, dir: MIGRATIONS_DIR })).toEqual([]);
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(first);
    expect(await db.tenant.count()).toBe(0);
  });

  it('refuses a migration edited after it was applied', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-migrate-'));
    const copy = path.join(dir, 'migrations');
    fs.cpSync(MIGRATIONS_DIR, copy, { recursive: true });
    db = await createDb({ url: `file:${path.join(dir, 'berth.db')}` });
    await applyMigrations({ db, dir: copy });
    const name = fs.readdirSync(copy).find((n) => fs.statSync(path.join(copy, n)).isDirectory())!;
    fs.appendFileSync(path.join(copy, name, 'migration.sql'), '\n-- edited\n');
    await expect(applyMigrations({ db, dir: copy })).rejects.toThrow(/was changed after it was applied/);
  });

  it('splits Prisma migrations into statements', () => {
    expect(splitStatements('-- c\nCREATE TABLE "a" ("x" TEXT);\n\n-- d\nCREATE INDEX "i" ON "a"("x");\n')).toEqual([
      'CREATE TABLE "a" ("x" TEXT)',
      'CREATE INDEX "i" ON "a"("x")',
    ]);
  });
});

describe('applyMigrations on a database with data', () => {
  it('keeps child rows when a later migration redefines a parent table', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-migrate-'));
    const first = path.join(dir, 'first');
    const all = fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((n) => fs.statSync(path.join(MIGRATIONS_DIR, n)).isDirectory())
      .sort();
    fs.mkdirSync(first);
    fs.cpSync(path.join(MIGRATIONS_DIR, all[0]!), path.join(first, all[0]!), { recursive: true });
    const db = await createDb({ url: `file:${path.join(dir, 'berth.db')}` });
    try {
      await applyMigrations({ db, dir: first });
      await db.$executeRawUnsafe(
        `INSERT INTO "Plan" ("id","name","maxSites","maxDomains","cpuMillicores","memoryMb","diskMb","bandwidthGb","pidsLimit","phpVersions","phpMaxMemoryMb","phpMaxUploadMb","phpMaxExecSeconds","updatedAt") VALUES ('p','P',1,1,1,1,1,1,1,'[]',1,1,1,CURRENT_TIMESTAMP)`,
      );
      await db.$executeRawUnsafe(
        `INSERT INTO "Tenant" ("id","slug","name","planId","uid","updatedAt") VALUES ('t','t','T','p',1,CURRENT_TIMESTAMP)`,
      );
      await db.$executeRawUnsafe(
        `INSERT INTO "Site" ("id","tenantId","name","runtimeKind","runtimeVersion","updatedAt") VALUES ('s','t','s','php','8.2',CURRENT_TIMESTAMP)`,
      );
      // A migration that redefines Tenant the way Prisma does (DROP + RENAME), after data exists.
      fs.mkdirSync(path.join(first, '99999999999999_redefine_tenant'));
      const tenantSql = await db.$queryRawUnsafe<{ sql: string }[]>(
        `SELECT sql FROM sqlite_master WHERE name = 'Tenant'`,
      );
      fs.writeFileSync(
        path.join(first, '99999999999999_redefine_tenant', 'migration.sql'),
        `PRAGMA foreign_keys=OFF;\n${tenantSql[0]!.sql.replace('"Tenant"', '"new_Tenant"')};\nINSERT INTO "new_Tenant" SELECT * FROM "Tenant";\nDROP TABLE "Tenant";\nALTER TABLE "new_Tenant" RENAME TO "Tenant";\nPRAGMA foreign_keys=ON;\n`,
      );
      expect(await applyMigrations({ db, dir: first })).toEqual(['99999999999999_redefine_tenant']);
      expect(await db.site.count()).toBe(1);
    } finally {
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
