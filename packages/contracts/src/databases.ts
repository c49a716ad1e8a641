import { z } from 'zod';
import { ZId, ZPageQuery } from './common.js';

/**
 * DATABASE_ENGINES are the database servers a tenant can have databases on: the installation's one MariaDB and
 * one PostgreSQL server, reached from the tenant's containers through their unix sockets only.
 */
export const DATABASE_ENGINES = ['mariadb', 'postgresql'] as const;
export const ZDatabaseEngine = z.enum(DATABASE_ENGINES);
export type TDatabaseEngine = z.infer<typeof ZDatabaseEngine>;

/** DATABASE_NAME_SUFFIX_MAX keeps `<prefix>_<suffix>` within 63 characters (PostgreSQL's limit) for a 32-character slug. */
export const DATABASE_NAME_SUFFIX_MAX = 16;

/**
 * ZDatabaseNameSuffix is the part of a database or user name the tenant chooses: the panel puts the tenant's
 * prefix and `_` in front. No `_` of its own, so `<prefix>_<suffix>` always says whose it is: tenant `shop`
 * with `a_b` would otherwise be the same name as tenant `shop-a` with `b`.
 */
export const ZDatabaseNameSuffix = z
  .string()
  .min(1, 'Enter a name.')
  .max(DATABASE_NAME_SUFFIX_MAX, `Use at most ${DATABASE_NAME_SUFFIX_MAX} characters.`)
  .regex(/^[a-z0-9]+$/, 'Use lowercase letters and digits only, e.g. "shop" or "blog2".');

/** databasePrefix is a tenant's name prefix for databases and users: its slug with `_` for `-`. */
export function databasePrefix(slug: string): string {
  return slug.replaceAll('-', '_');
}

/** databaseFullName is the name on the server: `<prefix>_<suffix>`. */
export function databaseFullName(slug: string, suffix: string): string {
  return `${databasePrefix(slug)}_${suffix}`;
}

/**
 * ZDatabasePassword is a password a tenant sets itself: long enough to survive guessing, printable, and without
 * characters that break connection strings in common apps (quotes, backslash, spaces).
 */
export const ZDatabasePassword = z
  .string()
  .min(16, 'Use at least 16 characters, or leave it empty to get a generated one.')
  .max(128, 'Use at most 128 characters.')
  .regex(/^[\x21-\x7e]+$/, 'Use printable ASCII characters without spaces.')
  .refine((value) => !/["'\\`]/.test(value), 'Quotes, backticks and backslashes are not allowed.');

export const ZCreateDatabaseRequest = z.strictObject({
  /** Administrators create databases for a tenant; tenant users for their own (omit it). */
  tenantId: ZId.optional(),
  engine: ZDatabaseEngine,
  name: ZDatabaseNameSuffix,
  /**
   * Also create a user with access to this database only (its password is in the answer, once). Its name is the
   * given suffix (`<prefix>_<user>`).
   */
  user: ZDatabaseNameSuffix.optional(),
});
export type TCreateDatabaseRequest = z.input<typeof ZCreateDatabaseRequest>;

export const ZDatabaseListQuery = ZPageQuery.extend({ tenantId: ZId.optional() });

export const ZDatabase = z.object({
  id: ZId,
  tenantId: ZId,
  engine: ZDatabaseEngine,
  /** The full name on the server, e.g. `shop_blog`. */
  name: z.string(),
  /** Bytes on disk as the server last reported them (null before the first measure). */
  sizeBytes: z.number().int().nullable(),
  sizeCheckedAt: z.string().nullable(),
  /** The users that may use it. */
  users: z.array(z.object({ id: ZId, name: z.string() })),
  /** How an app of this tenant connects: host and, for MariaDB, the socket path. */
  connection: z.object({ host: z.string(), socket: z.string(), port: z.null() }),
  createdAt: z.string(),
});
export type TDatabase = z.infer<typeof ZDatabase>;

export const ZDatabaseUser = z.object({
  id: ZId,
  tenantId: ZId,
  engine: ZDatabaseEngine,
  name: z.string(),
  databases: z.array(z.object({ id: ZId, name: z.string() })),
  createdAt: z.string(),
});
export type TDatabaseUser = z.infer<typeof ZDatabaseUser>;

/** ZDatabaseUserWithPassword is the one answer that carries a password: creation and rotation. Shown once. */
export const ZDatabaseUserWithPassword = ZDatabaseUser.extend({ password: z.string() });
export type TDatabaseUserWithPassword = z.infer<typeof ZDatabaseUserWithPassword>;

/** ZCreatedDatabase is a new database and, when asked for, its new user with the password (shown once). */
export const ZCreatedDatabase = ZDatabase.extend({ user: ZDatabaseUserWithPassword.optional() });
export type TCreatedDatabase = z.infer<typeof ZCreatedDatabase>;

export const ZCreateDatabaseUserRequest = z.strictObject({
  tenantId: ZId.optional(),
  engine: ZDatabaseEngine,
  name: ZDatabaseNameSuffix,
  /** A password of its own; a strong one is generated when omitted. */
  password: ZDatabasePassword.optional(),
  /** Databases (of the same tenant and engine) the user may use. */
  databaseIds: z.array(ZId).max(100).optional(),
});
export type TCreateDatabaseUserRequest = z.input<typeof ZCreateDatabaseUserRequest>;

export const ZSetDatabaseUserPasswordRequest = z.strictObject({ password: ZDatabasePassword.optional() });

export const ZSetDatabaseUserGrantsRequest = z.strictObject({ databaseIds: z.array(ZId).max(100) });

/** ZDatabaseAdminLink is a one-time, short-lived sign-in to phpMyAdmin (MariaDB) or Adminer (PostgreSQL). */
export const ZDatabaseAdminLink = z.object({ url: z.string(), expiresAt: z.string() });
export type TDatabaseAdminLink = z.infer<typeof ZDatabaseAdminLink>;
