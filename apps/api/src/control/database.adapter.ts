import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@berth/db';
import { DATABASE_ENGINES, type TDatabaseEngine } from '@berth/contracts';
import {
  createDatabase,
  createDatabaseUser,
  databaseInventory,
  dropDatabase,
  dropDatabaseUser,
  ensureDatabaseServer,
  grantDatabase,
  isRuntimeError,
  revokeDatabase,
  setDatabaseUserLocked,
  setDatabaseUserPassword,
  type DockerDriver,
  type ResourceLimits,
} from '@berth/runtime';
import { DatabasePortError, type DatabasePort, type DatabaseUserSpec } from '../ports.js';
import type { DataKey } from '../secrets/data-key.js';

const MIB = 1024 * 1024;

/** DatabaseServerLimits are each server's container limits (the tuning is derived from them). */
export function databaseServerLimits(memoryMb: number): ResourceLimits {
  return { nanoCpus: 1_000_000_000, memoryBytes: memoryMb * MIB, pids: 512 };
}

/**
 * AdminTool is phpMyAdmin/Adminer as the adapter runs them (absent: no admin host is set): kept running by every
 * pass, expired tickets swept, one-time tickets issued.
 */
export interface AdminTool {
  ensure(): Promise<void>;
  sweep(): Promise<void>;
  ticket: DatabasePort['adminTicket'];
}

/**
 * portError turns the runtime's failure into the port's: the server refused a statement (`refused`: a bug or a
 * server changed by hand; the operator's log has the server's words) or is not there (`unavailable`).
 */
function portError(err: unknown): DatabasePortError {
  if (err instanceof DatabasePortError) return err;
  const refused = isRuntimeError(err) && err.code === 'INVALID_INPUT';
  return new DatabasePortError(refused ? 'refused' : 'unavailable', err instanceof Error ? err.message : String(err), {
    cause: err,
  });
}

/**
 * DatabaseAdapter is the API's DatabasePort over @berth/runtime, and the converger of the database servers:
 *
 * - A server runs once any database or user of its engine exists (started on first use, kept running).
 * - Every change on one server runs one at a time (a queue per engine), so a pass never races an API call.
 * - A pass (at start, every `intervalMs`, after a tenant changed and when a server container stopped) makes
 *   the server hold exactly what the rows say: missing databases and users made again (a user with its stored
 *   password), users of suspended tenants locked and the others unlocked, grants as the rows say, and the
 *   tenant-shaped databases and users that have no row dropped (a terminated tenant's, a deletion the server
 *   missed). Sizes are read into the rows.
 *
 * Ordering keeps the drop of "no row" safe: a creation writes its row before it touches the server, and a pass
 * reads the server before it reads the rows, so a database being created is never taken for an orphan.
 */
export class DatabaseAdapter implements DatabasePort {
  readonly #queues = new Map<TDatabaseEngine, Promise<unknown>>();
  readonly #ready = new Set<TDatabaseEngine>();
  #timer: NodeJS.Timeout | undefined;
  #pending: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(
    private readonly deps: {
      db: Db;
      dataKey: DataKey;
      driver: DockerDriver;
      limits: Record<TDatabaseEngine, ResourceLimits>;
      adminTool?: AdminTool;
      logger: FastifyBaseLogger;
    },
  ) {}

  start(intervalMs: number): void {
    this.converge();
    this.#timer = setInterval(() => this.converge(), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#pending?.catch(() => undefined);
  }

  /** serverChanged is called when a database server's container stopped or restarted: check it at once. */
  serverChanged(): void {
    this.#ready.clear();
    this.converge();
  }

  converge(): void {
    if (this.#stopped) return;
    if (this.#pending) {
      this.#again = true;
      return;
    }
    this.#pending = (async () => {
      do {
        this.#again = false;
        for (const engine of DATABASE_ENGINES) {
          await this.#run(engine, () => this.#pass(engine)).catch((err: unknown) =>
            this.deps.logger.warn({ err, engine }, 'databases: pass failed; the next one retries'),
          );
        }
        const tool = this.deps.adminTool;
        if (tool) {
          await tool
            .ensure()
            .catch((err: unknown) =>
              this.deps.logger.warn({ err }, 'databases: phpMyAdmin/Adminer not running; the next pass retries'),
            );
          await tool.sweep().catch((err: unknown) => this.deps.logger.warn({ err }, 'databases: ticket sweep failed'));
        }
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#pending = null;
    });
  }

  /** idle waits for the running pass (tests). */
  async idle(): Promise<void> {
    while (this.#pending) await this.#pending.catch(() => undefined);
  }

  createDatabase(engine: TDatabaseEngine, name: string): Promise<void> {
    return this.#op(engine, () => createDatabase(this.deps.driver, engine, name));
  }

  dropDatabase(engine: TDatabaseEngine, name: string): Promise<void> {
    return this.#op(engine, () => dropDatabase(this.deps.driver, engine, name));
  }

  applyUser(engine: TDatabaseEngine, user: DatabaseUserSpec, databases: readonly string[]): Promise<void> {
    return this.#op(engine, async () => {
      await createDatabaseUser(this.deps.driver, engine, user);
      await this.#setGrants(engine, user.name, databases);
    });
  }

  setPassword(engine: TDatabaseEngine, name: string, password: string): Promise<void> {
    return this.#op(engine, () => setDatabaseUserPassword(this.deps.driver, engine, name, password));
  }

  setGrants(engine: TDatabaseEngine, user: string, databases: readonly string[]): Promise<void> {
    return this.#op(engine, () => this.#setGrants(engine, user, databases));
  }

  dropUser(engine: TDatabaseEngine, name: string, databases: readonly string[]): Promise<void> {
    return this.#op(engine, () => dropDatabaseUser(this.deps.driver, engine, name, databases));
  }

  async adminTicket(
    engine: TDatabaseEngine,
    login: { user: string; password: string; database?: string },
  ): Promise<{ path: string; expiresAt: Date }> {
    const tool = this.deps.adminTool;
    if (!tool) throw new DatabasePortError('not-configured', 'No database admin host is set.');
    try {
      await tool.ensure();
      return await tool.ticket(engine, login);
    } catch (err) {
      throw portError(err);
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  /** #op runs one change on a running server, in the engine's queue; failures become DatabasePortErrors. */
  async #op(engine: TDatabaseEngine, fn: () => Promise<void>): Promise<void> {
    try {
      await this.#run(engine, async () => {
        await this.#ensureServer(engine);
        await fn();
      });
    } catch (err) {
      this.#ready.delete(engine);
      this.deps.logger.error({ err, engine }, 'databases: operation failed');
      throw portError(err);
    }
  }

  #run<T>(engine: TDatabaseEngine, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(engine) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.#queues.set(engine, next);
    return next;
  }

  async #ensureServer(engine: TDatabaseEngine): Promise<void> {
    if (this.#ready.has(engine)) return;
    await ensureDatabaseServer(this.deps.driver, { engine, limits: this.deps.limits[engine] });
    this.#ready.add(engine);
  }

  async #setGrants(engine: TDatabaseEngine, user: string, databases: readonly string[]): Promise<void> {
    const current = (await databaseInventory(this.deps.driver, engine)).grants.get(user) ?? new Set<string>();
    for (const db of databases) if (!current.has(db)) await grantDatabase(this.deps.driver, engine, user, db);
    for (const db of current) if (!databases.includes(db)) await revokeDatabase(this.deps.driver, engine, user, db);
  }

  async #pass(engine: TDatabaseEngine): Promise<void> {
    const { db, driver, logger } = this.deps;
    const [dbCount, userCount] = await Promise.all([
      db.database.count({ where: { engine } }),
      db.databaseUser.count({ where: { engine } }),
    ]);
    // No database of this engine was ever wanted (or none is left and the server is not running): nothing to do.
    if (dbCount === 0 && userCount === 0 && !this.#ready.has(engine)) return;
    await this.#ensureServer(engine).catch((err: unknown) => {
      this.#ready.delete(engine);
      throw err;
    });
    // The server first, then the rows (see the class comment).
    const actual = await databaseInventory(driver, engine);
    const [databases, users] = await Promise.all([
      db.database.findMany({ where: { engine } }),
      db.databaseUser.findMany({
        where: { engine },
        include: {
          tenant: { select: { status: true, plan: { select: { dbMaxConnections: true } } } },
          grants: { include: { database: { select: { name: true } } } },
        },
      }),
    ]);
    const wantedDbs = new Set(databases.map((d) => d.name));
    const wantedUsers = new Set(users.map((u) => u.name));

    for (const name of wantedDbs) {
      if (actual.databases.has(name)) continue;
      logger.warn({ engine, database: name }, 'databases: a database was missing on its server; made again (empty)');
      await createDatabase(driver, engine, name);
    }
    for (const user of users) {
      const locked = user.tenant.status === 'suspended';
      const have = actual.users.get(user.name);
      if (!have) {
        logger.warn({ engine, user: user.name }, 'databases: a user was missing on its server; made again');
        await createDatabaseUser(driver, engine, {
          name: user.name,
          password: this.deps.dataKey.decrypt(user.passwordEnc),
          maxConnections: user.tenant.plan.dbMaxConnections,
          locked,
        });
      } else if (have.locked !== locked) {
        await setDatabaseUserLocked(driver, engine, user.name, locked);
        logger.info({ engine, user: user.name, locked }, 'databases: user lock follows its tenant');
      }
      const want = user.grants.map((g) => g.database.name);
      const has = actual.grants.get(user.name) ?? new Set<string>();
      if (!have || want.some((d) => !has.has(d)) || [...has].some((d) => !want.includes(d)))
        await this.#setGrants(engine, user.name, want);
    }
    for (const [name] of actual.users) {
      if (wantedUsers.has(name)) continue;
      logger.info(
        { engine, user: name },
        'databases: dropping a user that has no row (deleted, or its tenant terminated)',
      );
      await dropDatabaseUser(driver, engine, name, [...(actual.grants.get(name) ?? [])]);
    }
    for (const [name] of actual.databases) {
      if (wantedDbs.has(name)) continue;
      logger.info(
        { engine, database: name },
        'databases: dropping a database that has no row (deleted, or its tenant terminated)',
      );
      await dropDatabase(driver, engine, name);
    }
    // Sizes: written when they changed or are an hour old (every write invalidates the API's read cache).
    const now = new Date();
    for (const row of databases) {
      const size = actual.databases.get(row.name)?.sizeBytes;
      if (size === undefined) continue;
      const stale = !row.sizeCheckedAt || now.getTime() - row.sizeCheckedAt.getTime() > 3_600_000;
      if (!stale && row.sizeBytes === BigInt(size)) continue;
      await db.database.updateMany({ where: { id: row.id }, data: { sizeBytes: BigInt(size), sizeCheckedAt: now } });
    }
  }
}
