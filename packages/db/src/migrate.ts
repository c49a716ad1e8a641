import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './client.js';

/** MIGRATIONS_DIR is where committed migrations live: prisma/migrations at the repository root. */
export const MIGRATIONS_DIR = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../../prisma/migrations',
);

/**
 * applyMigrations applies every committed migration not yet recorded, in name order, each in one
 * transaction. It keeps Prisma's own `_prisma_migrations` table so `prisma migrate status` agrees with it.
 * It runs at every start and is a no-op when the database is current.
 */
export async function applyMigrations({ db, dir = MIGRATIONS_DIR }: { db: Db; dir?: string }): Promise<string[]> {
  await db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`);
  const done = await db.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
    'SELECT "migration_name", "checksum" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL',
  );
  const applied = new Map(done.map((row) => [row.migration_name, row.checksum]));
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const newlyApplied: string[] = [];
  const pending = names.filter((name) => !applied.has(name));
  // SQLite ignores `PRAGMA foreign_keys` inside a transaction, and Prisma's table redefinitions
  // (CREATE new_X; INSERT; DROP X; RENAME) would fire ON DELETE CASCADE on the children of a dropped
  // parent table. So foreign keys are off for the whole run and checked once at the end.
  if (pending.length > 0) await db.$executeRawUnsafe('PRAGMA foreign_keys = OFF');
  try {
    for (const name of names) {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      const checksum = crypto.createHash('sha256').update(sql).digest('hex');
      const known = applied.get(name);
      if (known !== undefined) {
        if (known !== checksum)
          throw new Error(`Migration ${name} was changed after it was applied; restore the committed file.`);
        continue;
      }
      const statements = splitStatements(sql).filter((statement) => !/^PRAGMA\s+foreign_keys\s*=/i.test(statement));
      await db.$transaction(async (tx) => {
        for (const statement of statements) await tx.$executeRawUnsafe(statement);
        await tx.$executeRawUnsafe(
          'INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "applied_steps_count") VALUES (?, ?, CURRENT_TIMESTAMP, ?, 1)',
          crypto.randomUUID(),
          checksum,
          name,
        );
      });
      newlyApplied.push(name);
    }
  } finally {
    if (pending.length > 0) await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  }
  if (pending.length > 0) {
    const broken = await db.$queryRawUnsafe<unknown[]>('PRAGMA foreign_key_check');
    if (broken.length > 0)
      throw new Error(
        `Migrations left ${broken.length} row(s) violating foreign keys: ${JSON.stringify(broken.slice(0, 3))}`,
      );
  }
  return newlyApplied;
}

/**
 * splitStatements cuts a Prisma-generated migration into statements. Prisma writes one statement per
 * block ending in `;` at the end of a line and no procedural code, so this split is exact for them.
 */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((chunk) =>
      chunk
        .split('\n')
        .filter((line) => !line.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((statement) => statement.length > 0);
}
