import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { DATABASE_ENGINES, assertDatabaseEngine, resolveImage, type DatabaseEngine } from '../catalog.js';
import {
  DATABASE_SERVERS,
  parseSqlRows,
  renderDatabaseServerConfig,
  sqlClientCommand,
} from '../config/database-server.config.js';
import {
  ensureContainer,
  execInContainer,
  listComponentContainers,
  removeContainerById,
  type EnsureResult,
  type ExecResult,
} from '../docker/container.ops.js';
import { callDocker, engineMessage, isNotFound } from '../docker/docker.driver.js';
import { RuntimeError } from '../errors.js';
import { hashText, ownershipLabels } from '../labels.js';
import { databaseConfigDir, databaseDataDir, databaseDir, databaseSocketDir, databasesRoot } from '../layout.js';
import { hardenedHostConfig } from './host-config.js';
import type { DockerDriver, ResourceLimits } from '../runtime.types.js';

/**
 * DATABASES_OWNER is the `berth.tenant` label of the database servers: they belong to the panel and serve every
 * tenant. The leading `_` makes it something no tenant slug can be (assertSlug refuses it), so no tenant
 * operation (removeTenant, removeUnwanted) can ever select them.
 */
export const DATABASES_OWNER = '_databases';

/** DATABASE_ROLE is the `berth.role` of a database server container. */
export const DATABASE_ROLE = 'database';

/** databaseContainerName is `berth-db-<installation>-<engine>`: one server per installation and engine. */
export function databaseContainerName(ctx: DockerDriver, engine: DatabaseEngine): string {
  return `berth-db-${ctx.instance}-${assertDatabaseEngine(engine)}`;
}

/** DatabaseServerSpec is one engine's server: its container's limits (the tuning is derived from them). */
export interface DatabaseServerSpec {
  engine: DatabaseEngine;
  limits: ResourceLimits;
  /** How long to wait for the server to answer on its socket (a first start initialises the data dir). */
  readyTimeoutMs?: number;
}

/** DatabaseServer is a running server and how a container reaches it. */
export interface DatabaseServer extends EnsureResult {
  engine: DatabaseEngine;
  name: string;
  /** The host's socket dir: bind it read-only at `socketMountPath` into a container that may connect. */
  socketDir: string;
  /** Where the engine's clients (and the image's own) look for the socket dir: `/run/mysqld`, `/run/postgresql`. */
  socketMountPath: string;
}

/**
 * SQL_TIMEOUT_MS bounds one execSql call; READY_TIMEOUT_MS the wait for a server (mariadb-install-db or initdb
 * on a first start, crash recovery after a kill).
 */
const SQL_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 120_000;
/** STOP_TIMEOUT_S lets a server flush and shut down cleanly on `docker stop`, a restart or an engine shutdown. */
const STOP_TIMEOUT_S = 60;

/** ensureDir makes a directory (or keeps it) with exactly this owner and mode. */
async function ensureDir(path: string, mode: number, uid = 0, gid = 0): Promise<void> {
  await mkdir(path, { recursive: true, mode });
  await chown(path, uid, gid);
  await chmod(path, mode);
}

/**
 * writeServerConfig writes the rendered tuning into `config/<hash>/` and returns that directory. A container
 * binds its own version's directory, so a server that is restored or restarted after a failed change keeps
 * reading the tuning it was created with.
 */
async function writeServerConfig(ctx: DockerDriver, engine: DatabaseEngine, text: string): Promise<string> {
  const root = databaseConfigDir(ctx.dataDir, engine);
  const dir = join(root, hashText(text));
  await ensureDir(root, 0o755);
  await ensureDir(dir, 0o755);
  const file = join(dir, DATABASE_SERVERS[engine].configFile);
  await writeFile(`${file}.tmp`, text, { mode: 0o644 });
  await rename(`${file}.tmp`, file);
  return dir;
}

/** dropOtherConfigs removes the tuning versions no container binds any more (after a change converged). */
async function dropOtherConfigs(ctx: DockerDriver, engine: DatabaseEngine, keep: string): Promise<void> {
  const root = databaseConfigDir(ctx.dataDir, engine);
  for (const entry of await readdir(root)) {
    if (join(root, entry) !== keep) await rm(join(root, entry), { recursive: true, force: true });
  }
}

/**
 * ensureDatabaseServer converges the installation's server for one engine: the container
 * `berth-db-<installation>-<engine>` (labels: this installation, owner DATABASES_OWNER, role `database`,
 * component = the engine) on Berth's image for it, then waits until the server answers on its socket.
 *
 * - Sockets only: `NetworkMode: none` (no interface but loopback, nothing published) and the server itself
 *   listens on no TCP port (skip-networking, listen_addresses = ''). Containers that may connect bind the
 *   socket dir (`<dataDir>/databases/<engine>/run`) read-only.
 * - Hardened like tenant containers: read-only root filesystem with a /tmp tmpfs, no-new-privileges, every
 *   capability dropped (the server runs as its own unprivileged uid from the start and needs none), memory
 *   (no extra swap), CPU and pids caps (changed in place with `docker update`), restart unless stopped.
 * - Data in `<dataDir>/databases/<engine>/data` (the server's uid, 0700), initialised by the image on the
 *   first start; the tuning rendered from `limits` (renderDatabaseServerConfig) in `config/<hash>/`, mounted
 *   read-only.
 * - Two servers never share a data dir: a change of image or tuning replaces the container by stopping the
 *   old one first (`exclusivePorts`: `docker stop -t 5`, and the server is crash-safe if that is too short),
 *   and the image's entrypoint refuses to start while another server holds the data dir's lock.
 */
export async function ensureDatabaseServer(ctx: DockerDriver, spec: DatabaseServerSpec): Promise<DatabaseServer> {
  const engine = assertDatabaseEngine(spec.engine);
  const server = DATABASE_SERVERS[engine];
  const config = renderDatabaseServerConfig(engine, spec.limits);
  const dataDir = databaseDataDir(ctx.dataDir, engine);
  const socketDir = databaseSocketDir(ctx.dataDir, engine);
  await ensureDir(databasesRoot(ctx.dataDir), 0o755);
  await ensureDir(databaseDir(ctx.dataDir, engine), 0o755);
  await ensureDir(dataDir, 0o700, server.uid, server.gid);
  // Tenants' processes must reach the socket through this directory (they run under other uids).
  await ensureDir(socketDir, 0o755, server.uid, server.gid);
  const configDir = await writeServerConfig(ctx, engine, config);

  const name = databaseContainerName(ctx, engine);
  const create: Omit<Docker.ContainerCreateOptions, 'name' | 'Image' | 'Labels'> = {
    User: `${server.uid}:${server.gid}`,
    StopTimeout: STOP_TIMEOUT_S,
    HostConfig: hardenedHostConfig({
      network: 'none',
      limits: spec.limits,
      capAdd: [],
      binds: [
        `${dataDir}:${server.dataPath}`,
        `${socketDir}:${server.socketDirPath}`,
        `${configDir}:${server.configDirPath}:ro`,
      ],
      // MariaDB's on-disk temporary tables (tmpdir = /tmp); PostgreSQL keeps its temporary files in its data dir.
      scratch: [],
    }),
  };
  const result = await ensureContainer(ctx, {
    tenantId: DATABASES_OWNER,
    component: engine,
    name,
    image: resolveImage(ctx.profile, { role: 'database', engine }),
    labels: ownershipLabels({
      instance: ctx.instance,
      tenantId: DATABASES_OWNER,
      role: DATABASE_ROLE,
      component: engine,
    }),
    create,
    // Not about ports: the old server must stop before the new one opens the same data dir.
    exclusivePorts: true,
    settleMs: 500,
  });
  await waitForServer(ctx, engine, result.id, spec.readyTimeoutMs ?? READY_TIMEOUT_MS);
  await dropOtherConfigs(ctx, engine, configDir);
  if (result.action !== 'unchanged')
    ctx.logger?.info({ engine, name, action: result.action }, 'runtime: database server converged');
  return { ...result, engine, name, socketDir, socketMountPath: server.socketDirPath };
}

/**
 * databaseSocketBinds are the binds that let a tenant's PHP and app containers reach both database servers:
 * each engine's socket dir, read-only, where the engine's clients look for it (`/run/mysqld/mysqld.sock`, so
 * WordPress's `DB_HOST=localhost` works; `/run/postgresql`). The dirs are made (the server's uid, 0755) before
 * any server runs, so a tenant's containers bind them from the start and a server started later needs no
 * container of theirs replaced. A socket lets nobody in by itself: every tenant user logs in with its password.
 */
export async function databaseSocketBinds(ctx: DockerDriver): Promise<string[]> {
  await ensureDir(databasesRoot(ctx.dataDir), 0o755);
  const binds: string[] = [];
  for (const engine of DATABASE_ENGINES) {
    const server = DATABASE_SERVERS[engine];
    await ensureDir(databaseDir(ctx.dataDir, engine), 0o755);
    const socketDir = databaseSocketDir(ctx.dataDir, engine);
    await ensureDir(socketDir, 0o755, server.uid, server.gid);
    binds.push(`${socketDir}:${server.socketDirPath}:ro`);
  }
  return binds;
}

/** pingCommand asks the server over its socket whether it accepts connections (exit 0: it does). */
function pingCommand(engine: DatabaseEngine): string[] {
  const s = DATABASE_SERVERS[engine];
  return engine === 'mariadb'
    ? [
        'mariadb-admin',
        '--no-defaults',
        '--protocol=socket',
        `--socket=${s.socketDirPath}/${s.socketFile}`,
        `--user=${s.adminUser}`,
        'ping',
      ]
    : ['pg_isready', '--quiet', `--host=${s.socketDirPath}`, `--username=${s.adminUser}`, '--dbname=postgres'];
}

/** lastLogLines reads a container's last log lines (non-TTY logs come in frames with an 8-byte header). */
async function lastLogLines(container: Docker.Container): Promise<string> {
  try {
    const buf = await container.logs({ stdout: true, stderr: true, tail: 30, follow: false });
    const out: string[] = [];
    for (let i = 0; i + 8 <= buf.length; i += 8 + buf.readUInt32BE(i + 4)) {
      out.push(buf.subarray(i + 8, i + 8 + buf.readUInt32BE(i + 4)).toString('utf8'));
    }
    return out.join('').trim();
  } catch (err) {
    return `(logs unavailable: ${engineMessage(err)})`;
  }
}

/**
 * waitForServer polls the server's own ping through its socket until it answers, and fails early
 * (CONTAINER_FAILED, with the last log lines) when the container stops or restarts meanwhile.
 */
async function waitForServer(ctx: DockerDriver, engine: DatabaseEngine, id: string, timeoutMs: number): Promise<void> {
  const container = ctx.docker.getContainer(id);
  const started = await callDocker('container inspect', () => container.inspect());
  const deadline = Date.now() + timeoutMs;
  let last: ExecResult | undefined;
  for (;;) {
    const info = await callDocker('container inspect', () => container.inspect());
    if (!info.State.Running || info.State.Restarting || info.RestartCount > started.RestartCount) {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `The ${engine} server ${info.Name.replace(/^\//, '')} stopped before it answered (exit code ${info.State.ExitCode}); see its log lines in details.`,
        { details: { engine, exitCode: info.State.ExitCode, logs: await lastLogLines(container) } },
      );
    }
    last = await execInContainer(ctx, id, pingCommand(engine), {
      user: DATABASE_SERVERS[engine].adminUser,
      timeoutMs: 10_000,
    });
    if (last.exitCode === 0) return;
    if (Date.now() > deadline) {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `The ${engine} server did not answer on its socket within ${Math.round(timeoutMs / 1000)} s; it may still be initialising or recovering, so run the same operation again, or see its log lines in details.`,
        { details: { engine, ping: (last.stdout + last.stderr).trim(), logs: await lastLogLines(container) } },
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** runningServer finds the engine's running server of this installation, or says how to get one. */
async function runningServer(ctx: DockerDriver, engine: DatabaseEngine): Promise<Docker.ContainerInfo> {
  const found = (await listComponentContainers(ctx, DATABASES_OWNER, engine)).find((c) => c.State === 'running');
  if (!found) {
    throw new RuntimeError(
      'CONTAINER_FAILED',
      `The ${engine} server of this installation is not running; converge it with ensureDatabaseServer first.`,
      { details: { engine } },
    );
  }
  return found;
}

/**
 * waitForDatabaseServer waits until the engine's running server answers on its socket (after an engine or
 * container restart, before the first execSql).
 */
export async function waitForDatabaseServer(
  ctx: DockerDriver,
  engine: DatabaseEngine,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const container = await runningServer(ctx, assertDatabaseEngine(engine));
  await waitForServer(ctx, engine, container.Id, opts.timeoutMs ?? READY_TIMEOUT_MS);
}

/** SqlResult is what a statement printed: its rows as text (see parseSqlRows). */
export interface SqlResult {
  rows: string[][];
}

/**
 * execSql runs SQL as the engine's superuser: a `docker exec` of the engine's client inside the server's
 * container, as the admin user (MariaDB's root through unix_socket, PostgreSQL's postgres through peer), with
 * the SQL on stdin (no shell, no argument, no password anywhere). It stops at the first failing statement;
 * statements run in autocommit unless the SQL opens a transaction itself. `database` selects the database
 * (PostgreSQL: `postgres` when omitted).
 *
 * Injection: the SQL is run as is, with every privilege, so it must be built only from the panel's constant
 * text and values passed through `quoteIdent`, `quoteGrantDatabase` or `quoteLiteral` (config/database-
 * server.config.ts), which accept only strictly shaped names and escape literals for the engine; never
 * interpolate anything else. The clients cannot be turned into shells even then: MariaDB's runs `--sandbox`,
 * psql starts restricted with a per-call random key (`\restrict`), so `\!` and every other client command fail.
 *
 * Failures: INVALID_INPUT when the server refused a statement (its message in `details.stderr`, which may
 * quote the statement: log it for operators, never show it to a tenant), CONTAINER_FAILED when there is no
 * running server or it does not answer.
 */
export async function execSql(
  ctx: DockerDriver,
  engine: DatabaseEngine,
  sql: string,
  opts: { database?: string; timeoutMs?: number } = {},
): Promise<SqlResult> {
  assertDatabaseEngine(engine);
  if (typeof sql !== 'string' || sql.trim() === '' || sql.includes('\0')) {
    throw new RuntimeError('INVALID_INPUT', 'The SQL to run must be non-empty text without NUL characters.');
  }
  const client = sqlClientCommand(engine, { database: opts.database, restrictKey: randomBytes(24).toString('hex') });
  const container = await runningServer(ctx, engine);
  const result = await execInContainer(ctx, container.Id, client.cmd, {
    user: DATABASE_SERVERS[engine].adminUser,
    env: client.env,
    input: `${client.preamble}${sql}\n`,
    timeoutMs: opts.timeoutMs ?? SQL_TIMEOUT_MS,
  });
  if (result.exitCode !== 0) {
    const stderr = result.stderr.trim();
    // mariadb: `ERROR 1064 (42000) at line 1: …` from the server, `ERROR at line 2: Not allowed in the sandbox
    // mode` from the client, but `ERROR 2002 (HY000): Can't connect…` (2xxx: the client's own) when it never got
    // there; psql: exit 3 when a statement (or a refused meta-command) failed, 2 when the connection did.
    const refused = engine === 'mariadb' ? !/^ERROR 2\d{3} /m.test(stderr) : result.exitCode === 3;
    throw new RuntimeError(
      refused ? 'INVALID_INPUT' : 'CONTAINER_FAILED',
      refused
        ? `The ${engine} server refused the SQL (exit code ${result.exitCode}); its answer is in details.stderr.`
        : `The ${engine} server could not run the SQL (exit code ${result.exitCode}); check that it is running and answers on its socket.`,
      { details: { engine, exitCode: result.exitCode, stderr } },
    );
  }
  return { rows: parseSqlRows(engine, result.stdout) };
}

/**
 * removeDatabaseServer stops the engine's server of this installation (a clean shutdown, up to STOP_TIMEOUT_S)
 * and removes its container. The data stays in `<dataDir>/databases/<engine>/` unless `deleteData` says
 * otherwise (the caller decides when tenants' databases may go). Idempotent: returns how many containers went.
 */
export async function removeDatabaseServer(
  ctx: DockerDriver,
  engine: DatabaseEngine,
  opts: { deleteData?: boolean } = {},
): Promise<number> {
  assertDatabaseEngine(engine);
  const containers = await listComponentContainers(ctx, DATABASES_OWNER, engine);
  for (const c of containers) {
    if (c.State === 'running' || c.State === 'restarting') {
      try {
        await ctx.docker.getContainer(c.Id).stop({ t: STOP_TIMEOUT_S });
      } catch (err) {
        // 304: already stopped; 404: already gone. Anything else: the forced removal below still ends it.
        if (!isNotFound(err) && (err as { statusCode?: number }).statusCode !== 304) {
          ctx.logger?.warn(
            { err, engine, name: c.Names[0] },
            'runtime: database server did not stop cleanly; removing it',
          );
        }
      }
    }
    await removeContainerById(ctx, c.Id);
  }
  if (opts.deleteData) await rm(databaseDir(ctx.dataDir, engine), { recursive: true, force: true });
  if (containers.length > 0)
    ctx.logger?.info({ engine, containers: containers.length }, 'runtime: database server removed');
  return containers.length;
}
