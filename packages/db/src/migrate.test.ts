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
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>('SELECT migration_name FROM _prisma_migrations');
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
    expect(splitStatements('-- c\nCREATE TABLE "a" ("x" TEXT);\n\n-- d\nCREATE INDEX "i" ON "a"("x");\n')).toEqual(['CREATE TABLE "a" ("x" TEXT)', 'CREATE INDEX "i" ON "a"("x")']);
  });
});
