import path from 'node:path';
import fs from 'node:fs';
import type { PrismaConfig } from 'prisma';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

// The WASM schema engine leaves long timers armed, which keeps CLI commands alive long after they finish.
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = realSetTimeout(fn, ms, ...args);
  if ((ms ?? 0) >= 5_000) timer.unref();
  return timer;
}) as typeof setTimeout;

const dbFile = path.resolve(process.env.BERTH_PRISMA_DB ?? 'data/prisma-cli.db');

export default {
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => {
    fs.mkdirSync(path.dirname(dbFile), { recursive: true });
    return new PrismaBetterSQLite3({ url: `file:${dbFile}` });
  },
} satisfies PrismaConfig;
