import { assertDatabaseEngine, type DatabaseEngine } from '../catalog.js';
import { assertSqlName, quoteGrantDatabase, quoteIdent, quoteLiteral } from '../config/database-server.config.js';
import { RuntimeError } from '../errors.js';
import { assertPositiveInt } from '../inputs.guard.js';
import type { DockerDriver } from '../runtime.types.js';
import { execSql } from './database-server.js';

// Tenants' databases and users on the installation's servers, as SQL run by execSql. Every name passes
// assertSqlName and reaches the SQL only through quoteIdent / quoteGrantDatabase / quoteLiteral.
//
// MariaDB: a database, and users `'<name>'@'localhost'` (the socket is the only way in) with every privilege on
// the databases they are granted (`<db>`.* with `_` escaped, so no grant is a pattern), MAX_USER_CONNECTIONS
// from the plan, and ACCOUNT LOCK while the tenant is suspended.
//
// PostgreSQL: a database owned by a NOLOGIN group role of the same name, CONNECT revoked from PUBLIC, and the
// catalog of databases (shared by all of them) unreadable inside it. A user is a LOGIN role with a SCRAM password and a
// CONNECTION LIMIT; a grant makes it a member of the database's role, and its sessions in that database run as
// that role (`ALTER ROLE … IN DATABASE … SET role`), so everything a user creates belongs to the database's role
// and every granted user can use it. pg_hba lets a role in only to a database named like a role it belongs to
// (`samerole`), by password; locking is NOLOGIN.

/** SYSTEM_DATABASES are the servers' own databases: never listed, never dropped. */
const SYSTEM_DATABASES: Readonly<Record<DatabaseEngine, readonly string[]>> = {
  mariadb: ['mysql', 'information_schema', 'performance_schema', 'sys'],
  postgresql: ['postgres', 'template0', 'template1'],
};

/** TENANT_NAME_RE is the shape of every name the panel gives (`<prefix>_<suffix>`): nothing else is touched. */
const TENANT_NAME_RE = /^[a-z][a-z0-9_]*_[a-z0-9]+$/;

/** isTenantName tells names the panel made from the servers' own (root, mysql, mariadb.sys, postgres, pg_*). */
export function isTenantName(engine: DatabaseEngine, name: string): boolean {
  if (!TENANT_NAME_RE.test(name) || SYSTEM_DATABASES[engine].includes(name)) return false;
  try {
    assertSqlName(engine, name); // the servers' own roles (pg_database_owner, pg_read_all_data, …) are not
    return true;
  } catch {
    return false;
  }
}

const userLiteral = (name: string): string => `${quoteLiteral('mariadb', assertSqlName('mariadb', name))}@'localhost'`;

function assertPassword(password: string): string {
  if (typeof password !== 'string' || password.length < 8 || password.length > 256) {
    throw new RuntimeError('INVALID_INPUT', 'A database password is 8–256 characters.');
  }
  return password;
}

/** ServerInventory is what one server holds of the tenants' objects. */
export interface ServerInventory {
  databases: Map<string, { sizeBytes: number }>;
  users: Map<string, { locked: boolean }>;
  /** `<user>` → the databases it may use. */
  grants: Map<string, Set<string>>;
}

/** inventory lists the tenant-shaped databases (with their sizes), users (with their lock) and grants. */
export async function inventory(ctx: DockerDriver, engine: DatabaseEngine): Promise<ServerInventory> {
  assertDatabaseEngine(engine);
  const out: ServerInventory = { databases: new Map(), users: new Map(), grants: new Map() };
  const grant = (user: string, db: string): void => {
    if (!out.grants.has(user)) out.grants.set(user, new Set());
    out.grants.get(user)!.add(db);
  };
  if (engine === 'mariadb') {
    const dbs = await execSql(
      ctx,
      engine,
      `SELECT s.schema_name, COALESCE(SUM(t.data_length + t.index_length), 0)
         FROM information_schema.schemata s LEFT JOIN information_schema.tables t ON t.table_schema = s.schema_name
         GROUP BY s.schema_name;`,
    );
    for (const [name, size] of dbs.rows)
      if (name && isTenantName(engine, name)) out.databases.set(name, { sizeBytes: Number(size) || 0 });
    const users = await execSql(
      ctx,
      engine,
      // JSON_EXTRACT gives the JSON text (`true`); JSON_VALUE turns a JSON boolean into something else.
      `SELECT User, COALESCE(JSON_EXTRACT(Priv, '$.account_locked'), 'false') FROM mysql.global_priv WHERE Host = 'localhost';`,
    );
    for (const [name, locked] of users.rows)
      if (name && isTenantName(engine, name)) out.users.set(name, { locked: locked === 'true' || locked === '1' });
    // mysql.db keeps the grant's pattern: `_` escaped as `\_` (quoteGrantDatabase), read back as the name.
    const grants = await execSql(ctx, engine, `SELECT User, Db FROM mysql.db WHERE Host = 'localhost';`);
    for (const [user, db] of grants.rows) {
      const name = (db ?? '').replaceAll('\\_', '_');
      if (user && isTenantName(engine, user) && isTenantName(engine, name)) grant(user, name);
    }
    return out;
  }
  const dbs = await execSql(
    ctx,
    engine,
    `SELECT datname, pg_database_size(datname) FROM pg_database WHERE NOT datistemplate;`,
  );
  for (const [name, size] of dbs.rows)
    if (name && isTenantName(engine, name)) out.databases.set(name, { sizeBytes: Number(size) || 0 });
  // Users are the LOGIN-capable roles and the locked ones (NOLOGIN, not named like a database: those are the
  // databases' group roles).
  const roles = await execSql(ctx, engine, `SELECT rolname, rolcanlogin FROM pg_roles;`);
  for (const [name, canLogin] of roles.rows) {
    if (!name || !isTenantName(engine, name) || out.databases.has(name)) continue;
    out.users.set(name, { locked: canLogin !== 't' });
  }
  const members = await execSql(
    ctx,
    engine,
    `SELECT m.rolname, r.rolname FROM pg_auth_members am
       JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member;`,
  );
  for (const [user, db] of members.rows)
    if (user && db && out.users.has(user) && out.databases.has(db)) grant(user, db);
  return out;
}

/**
 * createDatabase makes a database (utf8mb4 for MariaDB; for PostgreSQL its group role, owner, and the revokes
 * that keep other roles out). Idempotent: an existing database is left as it is.
 */
export async function createDatabase(ctx: DockerDriver, engine: DatabaseEngine, name: string): Promise<void> {
  if (engine === 'mariadb') {
    await execSql(
      ctx,
      engine,
      `CREATE DATABASE IF NOT EXISTS ${quoteIdent(engine, name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
    );
    return;
  }
  const db = quoteIdent(engine, name);
  const lit = quoteLiteral(engine, name);
  await execSql(
    ctx,
    engine,
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${lit}) THEN CREATE ROLE ${db} NOLOGIN; END IF; END $$;`,
  );
  const exists = await execSql(ctx, engine, `SELECT 1 FROM pg_database WHERE datname = ${lit};`);
  // CREATE DATABASE cannot run inside a transaction block or a DO: checked first, then a statement of its own.
  if (exists.rows.length === 0) await execSql(ctx, engine, `CREATE DATABASE ${db} OWNER ${db} ENCODING 'UTF8';`);
  await execSql(
    ctx,
    engine,
    `REVOKE ALL ON DATABASE ${db} FROM PUBLIC; GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${db};`,
  );
  // Inside it: nobody reads the list of databases (pg_database is shared by all of them, so the names of other
  // tenants' databases would show), and only its own role may create in public.
  await execSql(
    ctx,
    engine,
    `REVOKE SELECT ON pg_catalog.pg_database FROM PUBLIC; REVOKE SELECT ON pg_catalog.pg_stat_database FROM PUBLIC;
     REVOKE ALL ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO ${db}; GRANT ALL ON SCHEMA public TO ${db};`,
    { database: name },
  );
}

/** dropDatabase drops a database (PostgreSQL: its sessions ended first, then its group role). Idempotent. */
export async function dropDatabase(ctx: DockerDriver, engine: DatabaseEngine, name: string): Promise<void> {
  if (engine === 'mariadb') {
    await execSql(ctx, engine, `DROP DATABASE IF EXISTS ${quoteIdent(engine, name)};`);
    return;
  }
  const db = quoteIdent(engine, name);
  await execSql(ctx, engine, `DROP DATABASE IF EXISTS ${db} WITH (FORCE);`);
  await execSql(ctx, engine, `DROP ROLE IF EXISTS ${db};`);
}

/** UserSpec is a user as the panel wants it. */
export interface UserSpec {
  name: string;
  password: string;
  maxConnections: number;
  locked: boolean;
}

/** createUser makes a login, or sets an existing one's password, limit and lock to these. */
export async function createUser(ctx: DockerDriver, engine: DatabaseEngine, spec: UserSpec): Promise<void> {
  const max = assertPositiveInt(spec.maxConnections, 'maximum connections');
  const password = quoteLiteral(engine, assertPassword(spec.password));
  if (engine === 'mariadb') {
    const user = userLiteral(spec.name);
    await execSql(
      ctx,
      engine,
      `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY ${password} WITH MAX_USER_CONNECTIONS ${max};
       ALTER USER ${user} IDENTIFIED BY ${password} WITH MAX_USER_CONNECTIONS ${max};`,
    );
  } else {
    const role = quoteIdent(engine, spec.name);
    await execSql(
      ctx,
      engine,
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${quoteLiteral(engine, spec.name)}) THEN CREATE ROLE ${role} NOLOGIN; END IF; END $$;
       ALTER ROLE ${role} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${password} CONNECTION LIMIT ${max};`,
    );
  }
  await setUserLocked(ctx, engine, spec.name, spec.locked);
}

/** setPassword changes a user's password; its open sessions keep running. */
export async function setPassword(
  ctx: DockerDriver,
  engine: DatabaseEngine,
  name: string,
  password: string,
): Promise<void> {
  const value = quoteLiteral(engine, assertPassword(password));
  const sql =
    engine === 'mariadb'
      ? `ALTER USER ${userLiteral(name)} IDENTIFIED BY ${value};`
      : `ALTER ROLE ${quoteIdent(engine, name)} PASSWORD ${value};`;
  await execSql(ctx, engine, sql);
}

/**
 * setUserLocked locks a user out (its open sessions are ended too: a suspended tenant's app must not keep a
 * connection for hours) or lets it in again.
 */
export async function setUserLocked(
  ctx: DockerDriver,
  engine: DatabaseEngine,
  name: string,
  locked: boolean,
): Promise<void> {
  if (engine === 'mariadb') {
    const user = userLiteral(name);
    await execSql(ctx, engine, `ALTER USER ${user} ACCOUNT ${locked ? 'LOCK' : 'UNLOCK'};`);
    if (locked) {
      const sessions = await execSql(
        ctx,
        engine,
        `SELECT id FROM information_schema.processlist WHERE user = ${quoteLiteral(engine, name)};`,
      );
      for (const [id] of sessions.rows) {
        if (!/^\d+$/.test(id ?? '')) continue;
        // A session may end by itself between the list and the kill: that is not a failure.
        await execSql(ctx, engine, `KILL CONNECTION ${id};`).catch(() => undefined);
      }
    }
    return;
  }
  const role = quoteIdent(engine, name);
  await execSql(ctx, engine, `ALTER ROLE ${role} ${locked ? 'NOLOGIN' : 'LOGIN'};`);
  if (locked) {
    await execSql(
      ctx,
      engine,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${quoteLiteral(engine, name)};`,
    );
  }
}

/** grant lets a user use a database: every privilege on it (MariaDB), membership of its role (PostgreSQL). */
export async function grant(ctx: DockerDriver, engine: DatabaseEngine, user: string, database: string): Promise<void> {
  if (engine === 'mariadb') {
    await execSql(
      ctx,
      engine,
      `GRANT ALL PRIVILEGES ON ${quoteGrantDatabase(engine, database)}.* TO ${userLiteral(user)};`,
    );
    return;
  }
  const db = quoteIdent(engine, database);
  const role = quoteIdent(engine, user);
  await execSql(ctx, engine, `GRANT ${db} TO ${role}; ALTER ROLE ${role} IN DATABASE ${db} SET role TO ${db};`);
}

/** revoke takes a database away from a user (its open sessions to it are ended on PostgreSQL). */
export async function revoke(ctx: DockerDriver, engine: DatabaseEngine, user: string, database: string): Promise<void> {
  if (engine === 'mariadb') {
    await execSql(
      ctx,
      engine,
      `REVOKE ALL PRIVILEGES ON ${quoteGrantDatabase(engine, database)}.* FROM ${userLiteral(user)};`,
    );
    return;
  }
  const db = quoteIdent(engine, database);
  const role = quoteIdent(engine, user);
  await execSql(ctx, engine, `REVOKE ${db} FROM ${role}; ALTER ROLE ${role} IN DATABASE ${db} RESET role;`);
  await execSql(
    ctx,
    engine,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${quoteLiteral(engine, user)} AND datname = ${quoteLiteral(engine, database)};`,
  );
}

/**
 * dropUser removes a login. PostgreSQL: what it still owns in the databases it had (made before its grant's
 * `SET role`) is handed to each database's role first, so dropping the user never takes tables with it.
 */
export async function dropUser(
  ctx: DockerDriver,
  engine: DatabaseEngine,
  name: string,
  databases: readonly string[] = [],
): Promise<void> {
  if (engine === 'mariadb') {
    await execSql(ctx, engine, `DROP USER IF EXISTS ${userLiteral(name)};`);
    return;
  }
  const role = quoteIdent(engine, name);
  const exists = await execSql(ctx, engine, `SELECT 1 FROM pg_roles WHERE rolname = ${quoteLiteral(engine, name)};`);
  if (exists.rows.length === 0) return;
  await execSql(
    ctx,
    engine,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${quoteLiteral(engine, name)};`,
  );
  for (const db of databases) {
    await execSql(ctx, engine, `REASSIGN OWNED BY ${role} TO ${quoteIdent(engine, db)}; DROP OWNED BY ${role};`, {
      database: db,
    }).catch((err: unknown) => {
      // The database may be gone already; then there is nothing of the user's left in it.
      ctx.logger?.warn({ err, engine, user: name, database: db }, "runtime: could not hand over a user's objects");
    });
  }
  await execSql(ctx, engine, `DROP ROLE IF EXISTS ${role};`);
}
