import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client.js';
import { WRITE_OPERATIONS, WriteGeneration } from './write-generation.js';

function extend(client: PrismaClient, generation: WriteGeneration) {
  return client
    .$extends({
      query: {
        $allModels: {
          async $allOperations({ operation, args, query }) {
            const result = await query(args);
            if (WRITE_OPERATIONS.has(operation)) generation.bump();
            return result;
          },
        },
      },
    })
    .$extends({ client: { $writeGeneration: generation } });
}

/** Db is the panel's Prisma client; `$writeGeneration` changes after every write (see WriteGeneration). */
export type Db = ReturnType<typeof extend>;

/**
 * createDb opens the panel's database. Only `file:` URLs (embedded SQLite through the better-sqlite3
 * driver adapter) are supported today; the schema stays portable so PostgreSQL can follow.
 */
export async function createDb({ url }: { url: string }): Promise<Db> {
  if (!url.startsWith('file:')) {
    throw new Error(
      `DATABASE_URL must be a file: URL for the embedded SQLite database (got a ${url.split(':')[0]}: URL).`,
    );
  }
  const file = url.slice('file:'.length);
  // better-sqlite3 does not create the database's directory.
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const adapter = new PrismaBetterSQLite3({ url });
  const generation = new WriteGeneration();
  const db = extend(new PrismaClient({ adapter }), generation);
  // WAL lets readers run beside the single writer; busy_timeout waits instead of failing on a locked file.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  // A transaction's writes bump the generation as they run; bump once more when it ends, so a read that
  // raced with the transaction can never be cached under the final generation.
  const transaction = db.$transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  (db as { $transaction: unknown }).$transaction = async (...args: unknown[]) => {
    try {
      return await transaction(...args);
    } finally {
      generation.bump();
    }
  };
  return db;
}
