import { RuntimeError } from '../errors.js';
import { assertPositiveInt } from '../inputs.guard.js';
import { assertDatabaseEngine, type DatabaseEngine } from '../catalog.js';
import type { ResourceLimits } from '../runtime.types.js';

// The pure half of the database servers: what the runtime and each image agree on, the tuning rendered from
// the server's limits, the SQL quoting every caller must use, the client command lines and their output.

/**
 * DatabaseServerContract is what docker/images/<engine>/ promises and the runtime relies on: the server's fixed
 * uid (it owns the bound data and socket dirs), where those dirs are mounted, where the rendered tuning is
 * read from, and which user a `docker exec` runs as to administer the server.
 */
export interface DatabaseServerContract {
  uid: number;
  gid: number;
  /** The in-container user of admin execs: MariaDB's root (unix_socket auth), PostgreSQL's postgres (peer). */
  adminUser: string;
  dataPath: string;
  socketDirPath: string;
  socketFile: string;
  /** The directory the image reads last (`!includedir`, `include_if_exists`); the runtime mounts its tuning there. */
  configDirPath: string;
  configFile: string;
}

/** DATABASE_SERVERS is the contract of each engine's image (see the header of its Dockerfile). */
export const DATABASE_SERVERS: Readonly<Record<DatabaseEngine, DatabaseServerContract>> = {
  mariadb: {
    uid: 1991,
    gid: 1991,
    adminUser: 'root',
    dataPath: '/var/lib/mysql',
    socketDirPath: '/run/mysqld',
    socketFile: 'mysqld.sock',
    configDirPath: '/etc/mysql/berth.d',
    configFile: 'berth.cnf',
  },
  postgresql: {
    uid: 1992,
    gid: 1992,
    adminUser: 'postgres',
    dataPath: '/var/lib/postgresql/data',
    socketDirPath: '/run/postgresql',
    socketFile: '.s.PGSQL.5432',
    configDirPath: '/etc/postgresql/berth.d',
    configFile: 'berth.conf',
  },
};

const MIB = 1024 * 1024;

/**
 * MIN_MEMORY_MIB is the least memory each server is given: MariaDB's buffer pool, Aria and key caches and a
 * few connections; PostgreSQL's shared buffers and a few backends.
 */
export const MIN_MEMORY_MIB: Readonly<Record<DatabaseEngine, number>> = { mariadb: 128, postgresql: 64 };

/**
 * RESERVED_PIDS are the processes/threads a server needs besides its connections (MariaDB's InnoDB, purge,
 * timer and signal threads; PostgreSQL's checkpointer, writers, autovacuum and parallel workers), so
 * max_connections stays below the container's pids limit.
 */
const RESERVED_PIDS: Readonly<Record<DatabaseEngine, number>> = { mariadb: 32, postgresql: 16 };
const MIN_CONNECTIONS = 10;

/** DatabaseTuning is what the runtime derives from a server's limits (values in MiB). */
export interface DatabaseTuning {
  memoryMiB: number;
  maxConnections: number;
  /** MariaDB's innodb_buffer_pool_size, PostgreSQL's shared_buffers. */
  cacheMiB: number;
  /** MariaDB's tmp_table_size and max_heap_table_size, PostgreSQL's work_mem. */
  workMiB: number;
  /** PostgreSQL's maintenance_work_mem (MariaDB has none). */
  maintenanceMiB: number;
}

const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));
const down8 = (v: number): number => Math.floor(v / 8) * 8;

/**
 * databaseTuning sizes a server for many small databases: a quarter (MariaDB) or an eighth (PostgreSQL, which
 * leans on the page cache) of the memory for the cache, connections from the memory left and the pids limit.
 * Limits too small for a working server are refused (INVALID_INPUT) rather than rendered into a server that
 * fails at its first busy minute.
 */
export function databaseTuning(engine: DatabaseEngine, limits: ResourceLimits): DatabaseTuning {
  assertDatabaseEngine(engine);
  const memoryMiB = Math.floor(assertPositiveInt(limits.memoryBytes, 'database server memory limit') / MIB);
  const pids = assertPositiveInt(limits.pids, 'database server pids limit');
  if (memoryMiB < MIN_MEMORY_MIB[engine]) {
    throw new RuntimeError(
      'INVALID_INPUT',
      `The ${engine} server needs at least ${MIN_MEMORY_MIB[engine]} MiB of memory (got ${memoryMiB} MiB); raise its memory limit.`,
      { details: { engine, memoryMiB } },
    );
  }
  const byPids = pids - RESERVED_PIDS[engine];
  if (byPids < MIN_CONNECTIONS) {
    throw new RuntimeError(
      'INVALID_INPUT',
      `The ${engine} server needs a pids limit of at least ${RESERVED_PIDS[engine] + MIN_CONNECTIONS} (got ${pids}); raise it.`,
      { details: { engine, pids } },
    );
  }
  if (engine === 'mariadb') {
    return {
      memoryMiB,
      cacheMiB: Math.max(32, down8(memoryMiB / 4)),
      maxConnections: Math.min(byPids, clamp(Math.floor(memoryMiB / 4), 20, 1000)),
      workMiB: clamp(Math.floor(memoryMiB / 16), 8, 64),
      maintenanceMiB: 0,
    };
  }
  return {
    memoryMiB,
    cacheMiB: Math.max(16, down8(memoryMiB / 8)),
    maxConnections: Math.min(byPids, clamp(Math.floor(memoryMiB / 8), 20, 500)),
    workMiB: clamp(Math.floor(memoryMiB / 128), 1, 16),
    maintenanceMiB: clamp(Math.floor(memoryMiB / 16), 16, 256),
  };
}

/**
 * renderDatabaseServerConfig is the server's tuning file (DATABASE_SERVERS[engine].configFile), read after the
 * image's own config. The servers read it at start only, so its hash is part of the container's spec: a
 * change replaces the container.
 */
export function renderDatabaseServerConfig(engine: DatabaseEngine, limits: ResourceLimits): string {
  const t = databaseTuning(engine, limits);
  const head = `# Berth: tuning of the ${engine} server for ${t.memoryMiB} MiB of memory and ${limits.pids} processes,\n# rendered by the runtime from the server's limits. Read at start only: a change replaces the container.\n`;
  if (engine === 'mariadb') {
    return `${head}[mysqld]
innodb_buffer_pool_size = ${t.cacheMiB}M
max_connections = ${t.maxConnections}
tmp_table_size = ${t.workMiB}M
max_heap_table_size = ${t.workMiB}M
`;
  }
  return `${head}shared_buffers = ${t.cacheMiB}MB
max_connections = ${t.maxConnections}
work_mem = ${t.workMiB}MB
maintenance_work_mem = ${t.maintenanceMiB}MB
effective_cache_size = ${Math.floor(t.memoryMiB / 2)}MB
`;
}

// ---------------------------------------------------------------------------------------------------------
// Quoting. execSql runs the SQL text it is given as the server's superuser, so every value that did not come
// from the panel's own constant text must pass through these helpers: they are the whole defence against
// SQL injection (and, because the SQL is read by the engine's command-line client, against its own commands:
// `\!` runs a shell command in both clients; execSql also locks those out, see sqlClientCommand).

/**
 * IDENT_RE is the only shape of a name the panel creates (database, user, role): lowercase ASCII letter first,
 * then letters, digits and `_`, 63 characters at most (PostgreSQL silently truncates longer names, so two
 * long names could become one). No quote, backtick, backslash, `%`, space or NUL can appear in it.
 */
const IDENT_RE = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * RESERVED_NAMES are the servers' own databases, schemas and accounts: a tenant naming its database `mysql`
 * and being granted everything on it would own the server, so such names are never quoted for a caller (the
 * panel writes them as constant text where it means them).
 */
const RESERVED_NAMES: Readonly<Record<DatabaseEngine, readonly string[]>> = {
  mariadb: ['mysql', 'information_schema', 'performance_schema', 'sys', 'root', 'public', 'none'],
  postgresql: [
    'postgres',
    'template0',
    'template1',
    'public',
    'information_schema',
    'none',
    'current_user',
    'current_role',
    'session_user',
  ],
};

function refuse(what: string, value: unknown, why: string): never {
  throw new RuntimeError('INVALID_INPUT', `Invalid ${what} ${JSON.stringify(value)}: ${why}.`, {
    details: { what, value },
  });
}

/**
 * assertSqlName accepts a database, user or role name of the strict IDENT_RE shape that is not one of the
 * server's own (RESERVED_NAMES, or PostgreSQL's `pg_` prefix). Callers validate names at the API as well; this
 * is the last check before a name reaches SQL or a client's command line.
 */
export function assertSqlName(engine: DatabaseEngine, name: string): string {
  assertDatabaseEngine(engine);
  if (typeof name !== 'string') refuse('SQL name', name, 'not a string');
  if (name.includes('\0')) refuse('SQL name', name, 'contains NUL');
  if (!IDENT_RE.test(name)) refuse('SQL name', name, 'use 1–63 of a–z, 0–9 and _ (a letter first), e.g. "shop_db"');
  if (RESERVED_NAMES[engine].includes(name) || (engine === 'postgresql' && name.startsWith('pg_')))
    refuse('SQL name', name, `the ${engine} server keeps that name for itself`);
  return name;
}

/**
 * quoteIdent returns a name as a quoted SQL identifier (`` `shop` `` for MariaDB, `"shop"` for PostgreSQL),
 * after assertSqlName. Quoting is belt and braces: the accepted shape holds no quote character at all, so
 * there is nothing to escape, and a name never changes meaning with case (it is lowercase either way).
 */
export function quoteIdent(engine: DatabaseEngine, name: string): string {
  assertSqlName(engine, name);
  return engine === 'mariadb' ? `\`${name}\`` : `"${name}"`;
}

/**
 * quoteGrantDatabase returns a database name for a database-level `GRANT … ON <db>.*` / `REVOKE`. In MariaDB
 * `_` and `%` there are wildcards even inside backticks: a grant on `` `shop_db`.* `` would also cover a
 * database `shopxdb` of someone else, so `_` is escaped (`` `shop\_db` ``; `%` cannot occur). PostgreSQL's
 * `GRANT … ON DATABASE` has no patterns: the plain quoted identifier.
 */
export function quoteGrantDatabase(engine: DatabaseEngine, name: string): string {
  const quoted = quoteIdent(engine, name);
  return engine === 'mariadb' ? quoted.replaceAll('_', '\\_') : quoted;
}

/** LONE_SURROGATE_RE finds a UTF-16 surrogate without its pair (String#isWellFormed is ES2024). */
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * quoteLiteral returns any text (a password, a comment) as an SQL string literal. NUL and unpaired UTF-16
 * surrogates are refused (a C client would cut the text at NUL; a lone surrogate would silently become
 * U+FFFD). MariaDB: `'` is doubled and `\` escaped (`\\`), so the literal ends where it should whether or not
 * the session has NO_BACKSLASH_ESCAPES (with it the value would keep both backslashes, never end early);
 * execSql's client talks utf8mb4, in which no multibyte character hides a quote. PostgreSQL: `'` is doubled,
 * and text with a backslash becomes an `E'…'` literal with `\` doubled, as libpq's PQescapeLiteral does, so
 * it reads the same whatever standard_conforming_strings says.
 */
export function quoteLiteral(engine: DatabaseEngine, value: string): string {
  assertDatabaseEngine(engine);
  if (typeof value !== 'string') refuse('SQL literal', value, 'not a string');
  if (value.includes('\0')) refuse('SQL literal', '(hidden)', 'contains NUL');
  if (LONE_SURROGATE_RE.test(value)) refuse('SQL literal', '(hidden)', 'contains an unpaired UTF-16 surrogate');
  const quotes = value.replaceAll("'", "''");
  if (engine === 'mariadb') return `'${quotes.replaceAll('\\', '\\\\')}'`;
  return value.includes('\\') ? `E'${quotes.replaceAll('\\', '\\\\')}'` : `'${quotes}'`;
}

// ---------------------------------------------------------------------------------------------------------
// The clients execSql runs inside the server's container (no shell: an argv and the SQL on stdin).

/** SqlClientCommand is one client invocation: argv, environment, and a line to send before the caller's SQL. */
export interface SqlClientCommand {
  cmd: string[];
  env: string[];
  /** Sent first on stdin (PostgreSQL: `\restrict <key>`, which refuses every psql meta-command after it). */
  preamble: string;
}

/**
 * sqlClientCommand builds the superuser's client command for execSql. Both read the SQL from stdin, stop at
 * the first error with a non-zero exit, and print rows without headers. Neither lets the SQL reach a shell or
 * a file: MariaDB's client runs with `--sandbox` (refuses `\!`, `source`, `tee`, …) and reads no option
 * files; psql starts in restricted mode with a key the SQL cannot know (`\restrict`, psql ≥ 15.14), so a
 * backslash command anywhere in the SQL is an error, not a command. `database` passes assertSqlName (psql
 * would read a value with `=` as a whole connection string).
 */
export function sqlClientCommand(
  engine: DatabaseEngine,
  opts: { database?: string | undefined; restrictKey: string },
): SqlClientCommand {
  const server = DATABASE_SERVERS[assertDatabaseEngine(engine)];
  const database = opts.database === undefined ? undefined : assertSqlName(engine, opts.database);
  if (!/^[A-Za-z0-9]{16,64}$/.test(opts.restrictKey)) refuse('restrict key', '(hidden)', 'use 16–64 letters or digits');
  const socketDir = server.socketDirPath;
  if (engine === 'mariadb') {
    return {
      cmd: [
        'mariadb',
        '--no-defaults',
        '--sandbox',
        '--protocol=socket',
        `--socket=${socketDir}/${server.socketFile}`,
        `--user=${server.adminUser}`,
        '--default-character-set=utf8mb4',
        '--batch',
        '--skip-column-names',
        ...(database ? [`--database=${database}`] : []),
      ],
      env: [],
      preamble: '',
    };
  }
  return {
    cmd: [
      'psql',
      '--no-psqlrc',
      '--quiet',
      '--no-password',
      '--csv',
      '--tuples-only',
      '--set=ON_ERROR_STOP=1',
      `--host=${socketDir}`,
      `--username=${server.adminUser}`,
      `--dbname=${database ?? 'postgres'}`,
      '--file=-',
    ],
    env: ['PGCLIENTENCODING=UTF8', 'PGAPPNAME=berth-panel'],
    preamble: `\\restrict ${opts.restrictKey}\n`,
  };
}

/**
 * parseSqlRows reads the clients' output into rows of text values. MariaDB's batch mode writes tab-separated
 * lines with `\\`, `\t`, `\n` and `\0` escaped; psql writes CSV (RFC 4180: quoted fields may hold commas,
 * quotes and newlines). NULL is not told apart (MariaDB prints `NULL`, psql an empty field): select a
 * `COALESCE` or an `IS NULL` column where it matters.
 */
export function parseSqlRows(engine: DatabaseEngine, output: string): string[][] {
  assertDatabaseEngine(engine);
  return engine === 'mariadb' ? parseBatch(output) : parseCsv(output);
}

const BATCH_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', t: '\t', n: '\n', '0': '\0' };

function parseBatch(output: string): string[][] {
  return output
    .split('\n')
    .filter((line, i, all) => !(line === '' && i === all.length - 1))
    .map((line) => line.split('\t').map((field) => field.replace(/\\(.)/g, (m, c: string) => BATCH_ESCAPES[c] ?? m)));
}

function parseCsv(output: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < output.length) {
    const c = output[i] as string;
    if (quoted) {
      if (c === '"' && output[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && output[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
    i += 1;
  }
  if (quoted) throw new RuntimeError('DOCKER_ERROR', 'psql printed an unterminated CSV field.');
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
