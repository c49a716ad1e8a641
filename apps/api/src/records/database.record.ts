import type { DatabaseModel, DatabaseUserModel } from '@berth/db';
import { ZDatabase, ZDatabaseUser, type TDatabase, type TDatabaseUser } from '@berth/contracts';

/** DATABASE_INCLUDE loads what toDatabase reads: the users granted the database. */
export const DATABASE_INCLUDE = { grants: { include: { user: { select: { id: true, name: true } } } } } as const;
/** DATABASE_USER_INCLUDE loads what toDatabaseUser reads: the databases the user may use. */
export const DATABASE_USER_INCLUDE = {
  grants: { include: { database: { select: { id: true, name: true } } } },
} as const;

type DatabaseRow = DatabaseModel & { grants: { user: { id: string; name: string } }[] };
type DatabaseUserRow = DatabaseUserModel & { grants: { database: { id: string; name: string } }[] };

/** CONNECTION is how a tenant's app reaches each engine's server: its socket, mounted in every PHP and app container. */
const CONNECTION = {
  mariadb: { host: 'localhost', socket: '/run/mysqld/mysqld.sock', port: null },
  postgresql: { host: '/run/postgresql', socket: '/run/postgresql/.s.PGSQL.5432', port: null },
} as const;

/** toDatabase is the one reading of a Database row, through ZDatabase. */
export function toDatabase(row: DatabaseRow): TDatabase {
  const engine = row.engine === 'postgresql' ? 'postgresql' : 'mariadb';
  return ZDatabase.parse({
    id: row.id,
    tenantId: row.tenantId,
    engine: row.engine,
    name: row.name,
    sizeBytes: row.sizeCheckedAt ? Number(row.sizeBytes) : null,
    sizeCheckedAt: row.sizeCheckedAt?.toISOString() ?? null,
    users: row.grants.map((g) => g.user).sort((a, b) => a.name.localeCompare(b.name)),
    connection: CONNECTION[engine],
    createdAt: row.createdAt.toISOString(),
  });
}

/** toDatabaseUser is the one reading of a DatabaseUser row, through ZDatabaseUser (never its password). */
export function toDatabaseUser(row: DatabaseUserRow): TDatabaseUser {
  return ZDatabaseUser.parse({
    id: row.id,
    tenantId: row.tenantId,
    engine: row.engine,
    name: row.name,
    databases: row.grants.map((g) => g.database).sort((a, b) => a.name.localeCompare(b.name)),
    createdAt: row.createdAt.toISOString(),
  });
}
