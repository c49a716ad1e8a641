import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client.js';

export type Db = InstanceType<typeof PrismaClient>;

/**
 * createDb opens the panel's database. Only `file:` URLs (embedded SQLite through the better-sqlite3
 * driver adapter) are supported today; the schema stays portable so PostgreSQL can follow.
 */
export async function createDb({ url }: { url: string }): Promise<Db> {
  if (!url.startsWith('file:')) {
    throw new Error(`DATABASE_URL must be a file: URL for the embedded SQLite database (got a ${url.split(':')[0]}: URL).`);
  }
  const file = url.slice('file:'.length);
  // better-sqlite3 does not create the database's directory.
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const adapter = new PrismaBetterSQLite3({ url });
  const db = new PrismaClient({ adapter });
  // WAL lets readers run beside the single writer; busy_timeout waits instead of failing on a locked file.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  return db;
}
