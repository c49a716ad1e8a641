import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertDatabaseEngine, type DatabaseEngine } from '../catalog.js';
import { assertHostDir } from '../config/backup.config.js';
import {
  DATABASE_SERVERS,
  assertSqlName,
  quoteIdent,
  quoteLiteral,
  sqlClientCommand,
} from '../config/database-server.config.js';
import { listComponentContainers } from '../docker/container.ops.js';
import { callDocker } from '../docker/docker.driver.js';
import { RuntimeError } from '../errors.js';
import { DATABASES_OWNER, execSql } from './database-server.js';
import type { DockerDriver } from '../runtime.types.js';

// Consistent dumps and restores of one tenant database, through `docker exec` of the engine's own tools in the
// installation's server container, as its superuser over the socket (like execSql): the dump streams from the
// exec's stdout into a file, a restore streams the file into the client's stdin. Nothing goes through a shell,
// and every name passes assertSqlName.

const DEFAULT_TIMEOUT_MS = 3600_000;
const STDERR_LIMIT = 64 * 1024;

/** dumpCommand is the engine's dump tool for one database, as plain SQL loadable into a database of any name. */
function dumpCommand(engine: DatabaseEngine, name: string): string[] {
  const s = DATABASE_SERVERS[engine];
  if (engine === 'mariadb') {
    // No --databases: the dump has no CREATE DATABASE or USE. --single-transaction: one consistent InnoDB view.
    return [
      'mariadb-dump',
      '--no-defaults',
      '--protocol=socket',
      `--socket=${s.socketDirPath}/${s.socketFile}`,
      `--user=${s.adminUser}`,
      '--single-transaction',
      '--routines',
      '--triggers',
      '--events',
      '--hex-blob',
      '--default-character-set=utf8mb4',
      name,
    ];
  }
  // No owners or grants: a restore creates everything as the database's own role (see restoreDatabase).
  return [
    'pg_dump',
    '--no-owner',
    '--no-acl',
    '--format=plain',
    '--encoding=UTF8',
    '--no-password',
    `--host=${s.socketDirPath}`,
    `--username=${s.adminUser}`,
    `--dbname=${name}`,
  ];
}

/** serverContainer is the engine's running server of this installation. */
async function serverContainer(ctx: DockerDriver, engine: DatabaseEngine): Promise<string> {
  const found = (await listComponentContainers(ctx, DATABASES_OWNER, engine)).find((c) => c.State === 'running');
  if (!found) {
    throw new RuntimeError(
      'CONTAINER_FAILED',
      `The ${engine} server of this installation is not running; converge it with ensureDatabaseServer first.`,
      { details: { engine } },
    );
  }
  return found.Id;
}

/**
 * streamExec runs a command in a container as `user`, feeding `input` (a file) to its stdin and handing its
 * stdout to `stdout` (with backpressure), keeping stderr's tail; resolves with the exit code.
 */
async function streamExec(
  ctx: DockerDriver,
  args: {
    containerId: string;
    cmd: string[];
    user: string;
    env?: string[];
    input?: Readable;
    stdout: Writable;
    timeoutMs: number;
  },
): Promise<{ exitCode: number; stderr: string }> {
  const exec = await callDocker('exec create', () =>
    ctx.docker.getContainer(args.containerId).exec({
      Cmd: args.cmd,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: args.input !== undefined,
      Tty: false,
      User: args.user,
      ...(args.env ? { Env: args.env } : {}),
    }),
  );
  const stream = (await callDocker('exec start', () =>
    exec.start({ hijack: true, stdin: args.input !== undefined }),
  )) as NodeJS.ReadWriteStream & { destroy(err?: Error): void };
  const errChunks: Buffer[] = [];
  let errSize = 0;
  let pending: Buffer = Buffer.alloc(0);
  // Docker's multiplexed frames: 1 byte stream type, 3 zero bytes, 4 bytes payload length.
  const demux = new Writable({
    write(chunk: Buffer, _enc, cb) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let wait = false;
      while (pending.length >= 8) {
        const len = pending.readUInt32BE(4);
        if (pending.length < 8 + len) break;
        const payload = pending.subarray(8, 8 + len);
        if (pending[0] === 2) {
          errChunks.push(payload);
          errSize += payload.length;
          while (errSize > STDERR_LIMIT && errChunks.length > 1) errSize -= (errChunks.shift() as Buffer).length;
        } else if (!args.stdout.write(payload)) wait = true;
        pending = pending.subarray(8 + len);
      }
      if (wait) args.stdout.once('drain', () => cb());
      else cb();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([
        pipeline(stream, demux),
        args.input ? pipeline(args.input, stream as unknown as Writable, { end: true }) : Promise.resolve(),
      ]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          stream.destroy();
          reject(
            new RuntimeError('CONTAINER_FAILED', `${args.cmd[0]} did not finish within ${args.timeoutMs / 1000} s.`, {
              details: { reason: 'timeout' },
            }),
          );
        }, args.timeoutMs);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
  // The stream can end a moment before the engine records the exit code.
  for (let i = 0; ; i++) {
    const info = await callDocker('exec inspect', () => exec.inspect());
    if (!info.Running || i >= 100) {
      return {
        exitCode: info.Running ? -1 : (info.ExitCode ?? -1),
        stderr: Buffer.concat(errChunks).toString('utf8').trim(),
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * dumpDatabase writes a consistent dump of one database to `destFile` (0600, written to a temp file beside it and
 * renamed, so the file is complete or absent): MariaDB `mariadb-dump --single-transaction --routines --triggers
 * --events --hex-blob <name>` (without `--databases`, so it loads into a database of another name), PostgreSQL
 * `pg_dump --no-owner --no-acl --format=plain <name>`. Run in the server's container as its superuser.
 *
 * Failures: INVALID_INPUT for a bad engine, name or path; CONTAINER_FAILED when the server is not running or the
 * tool fails (exit code and its stderr in details, e.g. `Got error: 1049: "Unknown database 'x'"`).
 */
export async function dumpDatabase(
  ctx: DockerDriver,
  engine: DatabaseEngine,
  name: string,
  destFile: string,
  opts: { timeoutMs?: number } = {},
): Promise<{ bytes: number }> {
  assertDatabaseEngine(engine);
  assertSqlName(engine, name);
  assertHostDir(destFile, 'dump file');
  const containerId = await serverContainer(ctx, engine);
  const tmp = join(dirname(destFile), `.${basename(destFile)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
  let bytes = 0;
  const counted = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (file.write(chunk)) cb();
      else file.once('drain', () => cb());
    },
  });
  try {
    const res = await streamExec(ctx, {
      containerId,
      cmd: dumpCommand(engine, name),
      user: DATABASE_SERVERS[engine].adminUser,
      stdout: counted,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (res.exitCode !== 0) {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `Dumping the ${engine} database ${name} failed (exit code ${res.exitCode}); see details.stderr.`,
        { details: { engine, database: name, exitCode: res.exitCode, stderr: res.stderr } },
      );
    }
    const handle = await open(tmp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, destFile);
    ctx.logger?.info({ engine, database: name, bytes }, 'runtime: database dumped');
    return { bytes };
  } catch (err) {
    file.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

/** POSTGRES_RESTRICT_RE is the meta-command pg_dump ≥ 15.14 writes first: psql then runs no other one. */
const POSTGRES_RESTRICT_RE = /^\\restrict [A-Za-z0-9]+$/;

/**
 * checkPostgresDump reads a plain dump's head: its first line that is not blank or a comment must be pg_dump's
 * `\restrict <key>`, so a value inside the dump can never run a psql meta-command (`\!`) as the server's user.
 */
async function checkPostgresDump(file: string): Promise<void> {
  const handle = await open(file, 'r');
  let head: string;
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  const first = head.split('\n').find((l) => l.trim() !== '' && !l.startsWith('--'));
  if (!first || !POSTGRES_RESTRICT_RE.test(first.trim())) {
    throw new RuntimeError(
      'INVALID_INPUT',
      `${file} is not a plain dump from Berth's pg_dump (it must start with pg_dump's \\restrict line); nothing was changed.`,
      { details: { file } },
    );
  }
}

/** emptyMariaDb drops and recreates the database with its character set and collation (grants on it stay). */
async function emptyMariaDb(ctx: DockerDriver, name: string): Promise<void> {
  const { rows } = await execSql(
    ctx,
    'mariadb',
    `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${quoteLiteral('mariadb', name)};`,
  );
  const [charset, collation] = rows[0] ?? [];
  if (!charset || !collation) missingDatabase('mariadb', name);
  if (!/^[a-z0-9_]{1,64}$/.test(charset) || !/^[a-z0-9_]{1,64}$/.test(collation))
    throw new RuntimeError('CONTAINER_FAILED', `The MariaDB database ${name} has an unexpected character set.`);
  const db = quoteIdent('mariadb', name);
  // MariaDB keeps database-level grants (mysql.db) across DROP DATABASE: the users keep their access.
  await execSql(
    ctx,
    'mariadb',
    `DROP DATABASE ${db}; CREATE DATABASE ${db} CHARACTER SET ${charset} COLLATE ${collation};`,
  );
}

function missingDatabase(engine: DatabaseEngine, name: string): never {
  throw new RuntimeError(
    'INVALID_INPUT',
    `The ${engine} database ${name} does not exist; create it first (restoring fills an existing database).`,
    { details: { engine, database: name } },
  );
}

/**
 * postgresPreamble empties the database inside the restore's transaction and switches to its role: every schema
 * the role owns is dropped, `public` is made again (the role's, closed to PUBLIC, as createDatabase leaves it),
 * and `SET ROLE` makes everything the dump creates the database role's, with no more rights than that role.
 */
function postgresPreamble(name: string): string {
  const role = quoteIdent('postgresql', name);
  const lit = quoteLiteral('postgresql', name);
  return [
    'SET client_min_messages = warning;',
    `DO $$ DECLARE s name; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = ${lit}) AND nspname <> 'public' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; END $$;`,
    'DROP SCHEMA IF EXISTS public CASCADE;',
    `CREATE SCHEMA public AUTHORIZATION ${role};`,
    'REVOKE ALL ON SCHEMA public FROM PUBLIC;',
    `GRANT ALL ON SCHEMA public TO ${role};`,
    `SET ROLE ${role};`,
    '',
  ].join('\n');
}

/**
 * restoreDatabase replaces the contents of an existing database with a dump made by dumpDatabase (it may come
 * from a database of another name). MariaDB: the database is dropped and created again with its character set
 * (its users' grants stay), then the dump is loaded by the sandboxed client; not atomic: a dump that fails
 * half-way leaves the tables loaded so far. PostgreSQL: one transaction (`psql --single-transaction`) empties the
 * database's schemas, `SET ROLE <name>` and loads the dump, so the restored objects belong to the database's role
 * and its users read them as before, and a failure changes nothing; the dump must begin with pg_dump's
 * `\restrict` line.
 *
 * Failures: INVALID_INPUT for a bad name or file, a database that does not exist, or SQL the server refused;
 * CONTAINER_FAILED when the server is not running or the client fails otherwise.
 */
export async function restoreDatabase(
  ctx: DockerDriver,
  engine: DatabaseEngine,
  name: string,
  srcFile: string,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  assertDatabaseEngine(engine);
  assertSqlName(engine, name);
  assertHostDir(srcFile, 'dump file');
  const st = await lstat(srcFile).catch(() => undefined);
  if (!st?.isFile())
    throw new RuntimeError('INVALID_INPUT', `${srcFile} is not a dump file.`, { details: { srcFile } });
  const containerId = await serverContainer(ctx, engine);
  const restrictKey = randomBytes(24).toString('hex');
  const client = sqlClientCommand(engine, { database: name, restrictKey });
  let cmd = client.cmd;
  let input: Readable;
  if (engine === 'mariadb') {
    await emptyMariaDb(ctx, name);
    input = createReadStream(srcFile);
  } else {
    const { rows } = await execSql(
      ctx,
      engine,
      `SELECT 1 FROM pg_database d JOIN pg_roles r ON r.rolname = d.datname WHERE d.datname = ${quoteLiteral(engine, name)};`,
    );
    if (rows.length === 0) missingDatabase(engine, name);
    await checkPostgresDump(srcFile);
    cmd = [...cmd.filter((a) => a !== '--tuples-only' && a !== '--csv'), '--single-transaction'];
    // The dump's own `\restrict` (checked above) restricts psql for all of the dump; the preamble is ours.
    input = Readable.from(
      (async function* () {
        yield Buffer.from(postgresPreamble(name));
        yield* createReadStream(srcFile);
      })(),
    );
  }
  const sink = new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
  const res = await streamExec(ctx, {
    containerId,
    cmd,
    user: DATABASE_SERVERS[engine].adminUser,
    env: client.env,
    input,
    stdout: sink,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  if (res.exitCode !== 0) {
    const refused = engine === 'mariadb' ? !/^ERROR 2\d{3} /m.test(res.stderr) : res.exitCode === 3;
    throw new RuntimeError(
      refused ? 'INVALID_INPUT' : 'CONTAINER_FAILED',
      `Restoring the ${engine} database ${name} failed (exit code ${res.exitCode}); see details.stderr.${
        engine === 'postgresql' ? ' Nothing was changed.' : ''
      }`,
      { details: { engine, database: name, exitCode: res.exitCode, stderr: res.stderr.slice(-4000) } },
    );
  }
  ctx.logger?.info({ engine, database: name }, 'runtime: database restored');
}
