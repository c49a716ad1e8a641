import { randomBytes } from 'node:crypto';
import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import {
  databaseFullName,
  type TCreatedDatabase,
  type TDatabase,
  type TDatabaseAdminLink,
  type TDatabaseEngine,
  type TDatabaseUser,
  type TDatabaseUserWithPassword,
  type ZCreateDatabaseRequest,
  type ZCreateDatabaseUserRequest,
  type ZDatabaseListQuery,
} from '@berth/contracts';
import type { z } from 'zod';
import { canSeeTenant, requireNotBilling, requireWrite, tenantScope, type RequestContext } from '../auth/principal.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { isUniqueViolation } from '../http/prisma-errors.js';
import { DatabasePortError, type DatabasePort, type PortSlot } from '../ports.js';
import type { DataKey } from '../secrets/data-key.js';
import { databaseBytes, measureDiskUsage } from '../files/files.usage.js';
import { tenantSitesDir, tenantsRoot } from '@berth/runtime/layout';
import { toDatabase, toDatabaseUser, DATABASE_INCLUDE, DATABASE_USER_INCLUDE } from '../records/database.record.js';

/** generatePassword is 24 characters of [A-Za-z0-9] (≈143 bits): safe in any connection string or config file. */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  while (out.length < 24) {
    for (const byte of randomBytes(32)) {
      if (byte < 248 && out.length < 24) out += alphabet[byte % 62];
    }
  }
  return out;
}

function nameTaken(engine: TDatabaseEngine, name: string, field = 'name'): AppError {
  return new AppError(
    'DATABASE_NAME_TAKEN',
    `The ${engine === 'mariadb' ? 'MariaDB' : 'PostgreSQL'} server already has a database or user named ${name}; choose another name.`,
    { details: { issues: [{ in: 'body', path: [field], message: 'Already in use.' }] } },
  );
}

/**
 * listScope is the tenant filter of a list: the caller's own tenant (a tenant user asking for another tenant's
 * gets nothing), or the one an administrator asked for, or all. Null: an empty answer.
 */
function listScope(ctx: RequestContext, query: { tenantId?: string | undefined }): { tenantId?: string } | null {
  requireNotBilling(ctx.principal);
  const scoped = tenantScope(ctx.principal);
  if (scoped !== undefined && query.tenantId !== undefined && query.tenantId !== scoped) return null;
  const tenantId = scoped ?? query.tenantId;
  return tenantId === undefined ? {} : { tenantId };
}

/** PORT_WAIT_MS is how long a request waits for a control plane that is still starting. */
const PORT_WAIT_MS = 20_000;

/** portCall runs one database operation and answers the port's failures with the API's codes. */
async function portCall<T>(slot: PortSlot<DatabasePort>, op: (port: DatabasePort) => Promise<T>): Promise<T> {
  // A panel that just started binds the port once its control plane runs: wait for it a little.
  const port = await slot.ready(PORT_WAIT_MS);
  if (!port) {
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      'The database servers cannot be reached right now (the control plane is not running); try again shortly.',
    );
  }
  try {
    return await op(port);
  } catch (error) {
    if (!(error instanceof DatabasePortError)) throw error;
    if (error.reason === 'not-configured') {
      throw new AppError(
        'DB_ADMIN_NOT_CONFIGURED',
        'phpMyAdmin and Adminer are not set up on this panel: the operator sets BERTH_DB_ADMIN_HOST to turn them on.',
        { cause: error },
      );
    }
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      'The database server did not complete the change; nothing was changed. Try again in a minute, and tell the operator if it keeps failing.',
      { cause: error },
    );
  }
}

/**
 * DatabasesService keeps a tenant's databases and database users. Rows are the truth: each change is written,
 * then made on the server through the DatabasePort before the call answers; a creation the server refused is
 * undone, so nothing half-made is left. Removals answer once the row is gone (the server catches up on the next
 * pass if it was down). Passwords are shown once and kept encrypted with the data key (single sign-on needs them).
 */
export class DatabasesService {
  constructor(
    private readonly deps: {
      db: Db;
      dataKey: DataKey;
      dataDir: string;
      port: PortSlot<DatabasePort>;
      /** `https://<BERTH_DB_ADMIN_HOST>`, or null when no admin host is set. */
      adminUrl: string | null;
    },
  ) {}

  async list(
    ctx: RequestContext,
    query: z.output<typeof ZDatabaseListQuery>,
  ): Promise<{ items: TDatabase[]; total: number }> {
    const where = listScope(ctx, query);
    if (!where) return { items: [], total: 0 };
    const [rows, total] = await Promise.all([
      this.deps.db.database.findMany({
        where,
        include: DATABASE_INCLUDE,
        orderBy: { createdAt: 'asc' },
        take: query.limit,
        skip: query.offset,
      }),
      this.deps.db.database.count({ where }),
    ]);
    return { items: rows.map(toDatabase), total };
  }

  async get(ctx: RequestContext, id: string): Promise<TDatabase> {
    requireNotBilling(ctx.principal);
    return toDatabase(await this.findDatabase(ctx, id));
  }

  async create(ctx: RequestContext, input: z.output<typeof ZCreateDatabaseRequest>): Promise<TCreatedDatabase> {
    requireWrite(ctx.principal);
    const tenant = await this.activeTenant(ctx, input.tenantId);
    const name = databaseFullName(tenant.slug, input.name);
    const userName = input.user === undefined ? undefined : databaseFullName(tenant.slug, input.user);
    if (userName === name && input.engine === 'postgresql') throw nameTaken(input.engine, userName, 'user');
    await this.assertDiskRoom(tenant);
    const id = newId();
    const userId = newId();
    const password = generatePassword();
    try {
      await this.deps.db.$transaction(async (tx) => {
        const count = await tx.database.count({ where: { tenantId: tenant.id } });
        if (count >= tenant.plan.maxDatabases) {
          throw new AppError(
            'PLAN_LIMIT_REACHED',
            `The plan allows ${tenant.plan.maxDatabases} database(s); delete one or move to a larger plan.`,
          );
        }
        await this.assertNameFree(tx, input.engine, name, 'database', 'name');
        if (userName !== undefined) await this.assertNameFree(tx, input.engine, userName, 'user', 'user');
        await tx.database.create({ data: { id, tenantId: tenant.id, engine: input.engine, name } });
        if (userName !== undefined) {
          await tx.databaseUser.create({
            data: {
              id: userId,
              tenantId: tenant.id,
              engine: input.engine,
              name: userName,
              passwordEnc: this.deps.dataKey.encrypt(password),
              grants: { create: { databaseId: id } },
            },
          });
        }
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(input.engine, name);
      throw error;
    }
    try {
      await portCall(this.deps.port, async (port) => {
        await port.createDatabase(input.engine, name);
        if (userName !== undefined) {
          await port.applyUser(
            input.engine,
            { name: userName, password, maxConnections: tenant.plan.dbMaxConnections, locked: false },
            [name],
          );
        }
      });
    } catch (error) {
      // Undo the rows: the next pass drops whatever the server made of them.
      await this.deps.db.$transaction([
        this.deps.db.databaseUser.deleteMany({ where: { id: userId } }),
        this.deps.db.database.deleteMany({ where: { id } }),
      ]);
      this.deps.port.current?.converge();
      throw error;
    }
    await recordEvent(this.deps.db, ctx, {
      action: 'database.create',
      targetType: 'database',
      targetId: id,
      tenantId: tenant.id,
      details: { engine: input.engine, name, ...(userName !== undefined ? { user: userName } : {}) },
    });
    const database = await this.get(ctx, id);
    if (userName === undefined) return database;
    return { ...database, user: { ...(await this.getUser(ctx, userId)), password } };
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    requireWrite(ctx.principal);
    const row = await this.findDatabase(ctx, id);
    await this.deps.db.$transaction(async (tx) => {
      await tx.database.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'database.delete',
        targetType: 'database',
        targetId: id,
        tenantId: row.tenantId,
        details: { engine: row.engine, name: row.name },
      });
    });
    // The row is gone, so the database goes: now, or on the next pass when the server is down right now.
    await this.bestEffort((port) => port.dropDatabase(row.engine as TDatabaseEngine, row.name));
  }

  async listUsers(
    ctx: RequestContext,
    query: z.output<typeof ZDatabaseListQuery>,
  ): Promise<{ items: TDatabaseUser[]; total: number }> {
    const where = listScope(ctx, query);
    if (!where) return { items: [], total: 0 };
    const [rows, total] = await Promise.all([
      this.deps.db.databaseUser.findMany({
        where,
        include: DATABASE_USER_INCLUDE,
        orderBy: { createdAt: 'asc' },
        take: query.limit,
        skip: query.offset,
      }),
      this.deps.db.databaseUser.count({ where }),
    ]);
    return { items: rows.map(toDatabaseUser), total };
  }

  async getUser(ctx: RequestContext, id: string): Promise<TDatabaseUser> {
    requireNotBilling(ctx.principal);
    return toDatabaseUser(await this.findUser(ctx, id));
  }

  async createUser(
    ctx: RequestContext,
    input: z.output<typeof ZCreateDatabaseUserRequest>,
  ): Promise<TDatabaseUserWithPassword> {
    requireWrite(ctx.principal);
    const tenant = await this.activeTenant(ctx, input.tenantId);
    const name = databaseFullName(tenant.slug, input.name);
    const databases = await this.grantable(tenant.id, input.engine, input.databaseIds ?? []);
    const password = input.password ?? generatePassword();
    const id = newId();
    try {
      await this.deps.db.$transaction(async (tx) => {
        await this.assertNameFree(tx, input.engine, name, 'user', 'name');
        await tx.databaseUser.create({
          data: {
            id,
            tenantId: tenant.id,
            engine: input.engine,
            name,
            passwordEnc: this.deps.dataKey.encrypt(password),
            grants: { create: databases.map((d) => ({ databaseId: d.id })) },
          },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(input.engine, name);
      throw error;
    }
    try {
      await portCall(this.deps.port, (port) =>
        port.applyUser(
          input.engine,
          { name, password, maxConnections: tenant.plan.dbMaxConnections, locked: false },
          databases.map((d) => d.name),
        ),
      );
    } catch (error) {
      await this.deps.db.databaseUser.deleteMany({ where: { id } });
      this.deps.port.current?.converge();
      throw error;
    }
    await recordEvent(this.deps.db, ctx, {
      action: 'database-user.create',
      targetType: 'database-user',
      targetId: id,
      tenantId: tenant.id,
      details: { engine: input.engine, name, databases: databases.map((d) => d.name) },
    });
    return { ...(await this.getUser(ctx, id)), password };
  }

  async removeUser(ctx: RequestContext, id: string): Promise<void> {
    requireWrite(ctx.principal);
    const row = await this.findUser(ctx, id);
    await this.deps.db.$transaction(async (tx) => {
      await tx.databaseUser.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'database-user.delete',
        targetType: 'database-user',
        targetId: id,
        tenantId: row.tenantId,
        details: { engine: row.engine, name: row.name },
      });
    });
    await this.bestEffort((port) =>
      port.dropUser(
        row.engine as TDatabaseEngine,
        row.name,
        row.grants.map((g) => g.database.name),
      ),
    );
  }

  /** setPassword sets the given password, or rotates to a generated one; the answer shows it once. */
  async setPassword(ctx: RequestContext, id: string, input: { password?: string }): Promise<TDatabaseUserWithPassword> {
    requireWrite(ctx.principal);
    const row = await this.findUser(ctx, id);
    const password = input.password ?? generatePassword();
    // The server first: if it refuses, the stored password still is the one that works.
    await portCall(this.deps.port, (port) => port.setPassword(row.engine as TDatabaseEngine, row.name, password));
    await this.deps.db.$transaction(async (tx) => {
      await tx.databaseUser.update({ where: { id }, data: { passwordEnc: this.deps.dataKey.encrypt(password) } });
      await recordEvent(tx, ctx, {
        action: 'database-user.password',
        targetType: 'database-user',
        targetId: id,
        tenantId: row.tenantId,
        details: { engine: row.engine, name: row.name, generated: input.password === undefined },
      });
    });
    return { ...(await this.getUser(ctx, id)), password };
  }

  /** setGrants makes `databaseIds` (the tenant's own, same engine) exactly the databases the user may use. */
  async setGrants(ctx: RequestContext, id: string, input: { databaseIds: string[] }): Promise<TDatabaseUser> {
    requireWrite(ctx.principal);
    const row = await this.findUser(ctx, id);
    const engine = row.engine as TDatabaseEngine;
    const databases = await this.grantable(row.tenantId, engine, input.databaseIds);
    await portCall(this.deps.port, (port) =>
      port.setGrants(
        engine,
        row.name,
        databases.map((d) => d.name),
      ),
    );
    await this.deps.db.$transaction(async (tx) => {
      await tx.databaseGrant.deleteMany({ where: { userId: id } });
      await tx.databaseGrant.createMany({ data: databases.map((d) => ({ databaseId: d.id, userId: id })) });
      await recordEvent(tx, ctx, {
        action: 'database-user.grants',
        targetType: 'database-user',
        targetId: id,
        tenantId: row.tenantId,
        details: {
          name: row.name,
          before: row.grants.map((g) => g.database.name),
          after: databases.map((d) => d.name),
        },
      });
    });
    return this.getUser(ctx, id);
  }

  /**
   * adminLink gives a one-time sign-in to phpMyAdmin (MariaDB) or Adminer (PostgreSQL) as this user, valid for
   * two minutes, on the panel's database admin host. No password travels to the browser.
   */
  async adminLink(ctx: RequestContext, id: string, input: { databaseId?: string }): Promise<TDatabaseAdminLink> {
    requireWrite(ctx.principal);
    const row = await this.findUser(ctx, id);
    if (this.deps.adminUrl === null) {
      throw new AppError(
        'DB_ADMIN_NOT_CONFIGURED',
        'phpMyAdmin and Adminer are not set up on this panel: the operator sets BERTH_DB_ADMIN_HOST to turn them on.',
      );
    }
    const database =
      input.databaseId === undefined
        ? row.grants[0]?.database
        : row.grants.find((g) => g.databaseId === input.databaseId)?.database;
    if (input.databaseId !== undefined && database === undefined) throw notFound('Database');
    if (row.engine === 'postgresql' && database === undefined) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Give this user a database first: Adminer opens one of the databases the user may use.',
      );
    }
    const ticket = await portCall(this.deps.port, (port) =>
      port.adminTicket(row.engine as TDatabaseEngine, {
        user: row.name,
        password: this.deps.dataKey.decrypt(row.passwordEnc),
        ...(database ? { database: database.name } : {}),
      }),
    );
    await recordEvent(this.deps.db, ctx, {
      action: 'database-user.admin-login',
      targetType: 'database-user',
      targetId: id,
      tenantId: row.tenantId,
      details: { engine: row.engine, name: row.name, tool: row.engine === 'mariadb' ? 'phpmyadmin' : 'adminer' },
    });
    return { url: `${this.deps.adminUrl}${ticket.path}`, expiresAt: ticket.expiresAt.toISOString() };
  }

  // ---------------------------------------------------------------------------------------------------------

  private async findDatabase(ctx: RequestContext, id: string) {
    const row = await this.deps.db.database.findFirst({
      where: { id, tenantId: tenantScope(ctx.principal) },
      include: DATABASE_INCLUDE,
    });
    if (!row) throw notFound('Database');
    return row;
  }

  private async findUser(ctx: RequestContext, id: string) {
    const row = await this.deps.db.databaseUser.findFirst({
      where: { id, tenantId: tenantScope(ctx.principal) },
      include: DATABASE_USER_INCLUDE,
    });
    if (!row) throw notFound('Database user');
    return row;
  }

  /** activeTenant resolves whose database it is (administrators say so) and refuses a suspended account. */
  private async activeTenant(ctx: RequestContext, requested: string | undefined) {
    const tenantId = ctx.principal.role === 'admin' ? requested : (requested ?? ctx.principal.tenantId);
    if (!tenantId) {
      throw new AppError('VALIDATION_FAILED', 'Say which tenant the database belongs to (tenantId).', {
        details: { issues: [{ in: 'body', path: ['tenantId'], message: 'Required for administrators.' }] },
      });
    }
    if (!canSeeTenant(ctx.principal, tenantId)) throw notFound('Tenant');
    const tenant = await this.deps.db.tenant.findUnique({ where: { id: tenantId }, include: { plan: true } });
    if (!tenant) throw notFound('Tenant');
    if (tenant.status === 'suspended') {
      throw new AppError(
        'TENANT_SUSPENDED',
        'This account is suspended; databases cannot be added until it is unsuspended.',
      );
    }
    return tenant;
  }

  /**
   * grantable reads the databases a user may be granted: the tenant's own, on the user's engine. Any other id
   * (another tenant's, the other engine's, unknown) is refused without saying which.
   */
  private async grantable(tenantId: string, engine: TDatabaseEngine, ids: readonly string[]) {
    const unique = [...new Set(ids)];
    const rows = await this.deps.db.database.findMany({ where: { id: { in: unique }, tenantId, engine } });
    if (rows.length !== unique.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Grant only this account's own ${engine === 'mariadb' ? 'MariaDB' : 'PostgreSQL'} databases.`,
        {
          details: { issues: [{ in: 'body', path: ['databaseIds'], message: 'Unknown database, or another engine.' }] },
        },
      );
    }
    return rows;
  }

  /**
   * assertNameFree: names are unique per server. On PostgreSQL a database's group role and the users share one
   * namespace of roles, so a user may not be named like any database there (and the other way round).
   */
  private async assertNameFree(
    tx: Pick<Db, 'database' | 'databaseUser'>,
    engine: TDatabaseEngine,
    name: string,
    kind: 'database' | 'user',
    field: string,
  ): Promise<void> {
    const [db, user] = await Promise.all([
      tx.database.findUnique({ where: { engine_name: { engine, name } }, select: { id: true } }),
      tx.databaseUser.findUnique({ where: { engine_name: { engine, name } }, select: { id: true } }),
    ]);
    const same = kind === 'database' ? db : user;
    const other = kind === 'database' ? user : db;
    if (same || (engine === 'postgresql' && other)) throw nameTaken(engine, name, field);
  }

  /** assertDiskRoom refuses a new database when the account's files and databases already fill its plan's disk. */
  private async assertDiskRoom(tenant: { id: string; plan: { diskMb: number } }): Promise<void> {
    const used =
      (await measureDiskUsage(tenantSitesDir(tenantsRoot(this.deps.dataDir), tenant.id))) +
      (await databaseBytes(this.deps.db, tenant.id));
    const limit = tenant.plan.diskMb * 1024 * 1024;
    if (used >= limit) {
      throw new AppError(
        'PLAN_LIMIT_REACHED',
        `The account's disk is full (${Math.round(used / 1048576)} of ${tenant.plan.diskMb} MB used by files and databases together); free some space or move to a larger plan.`,
      );
    }
  }

  /** bestEffort runs a clean-up on the server now; when it cannot, the next pass does it. */
  private async bestEffort(op: (port: DatabasePort) => Promise<void>): Promise<void> {
    const port = this.deps.port.current;
    if (!port) return;
    await op(port).catch(() => port.converge());
  }
}
