import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { chmod, chown, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { resolveImage } from '../catalog.js';
import {
  DB_ADMIN,
  TICKET_FILE_RE,
  TICKET_TTL_SECONDS,
  buildDbAdminTicket,
  dbAdminNetworkName,
  parseDbAdminSecrets,
  renderDbAdminSecrets,
  renderDbAdminTicket,
  ssoPath,
  ticketExpiry,
  ticketFileName,
  type DbAdminTicketInput,
} from '../config/db-admin.config.js';
import {
  ensureContainer,
  listComponentContainers,
  removeContainerById,
  type EnsureResult,
} from '../docker/container.ops.js';
import { callDocker, engineMessage } from '../docker/docker.driver.js';
import { RuntimeError } from '../errors.js';
import { assertPort } from '../inputs.guard.js';
import { ownershipLabels } from '../labels.js';
import { databasesRoot, dbAdminConfigDir, dbAdminDir, dbAdminSsoDir } from '../layout.js';
import { DATABASES_OWNER, databaseSocketBinds } from './database-server.js';
import { ensureServiceNetwork, removeServiceNetworks, type ServiceNetwork } from './service-network.js';
import { hardenedHostConfig, publishOnLoopback } from './host-config.js';
import type { DockerDriver, ResourceLimits } from '../runtime.types.js';

/** DB_ADMIN_ROLE is the `berth.role` (and `berth.component`) of the database admin tools' container and network. */
export const DB_ADMIN_ROLE = 'dbadmin';

/** dbAdminContainerName is `berth-dbadmin-<installation>`: one container per installation serves both tools. */
export function dbAdminContainerName(ctx: DockerDriver): string {
  return `berth-dbadmin-${ctx.instance}`;
}

const MIB = 1024 * 1024;

/**
 * DB_ADMIN_LIMITS are the container's default limits: Apache's 12 prefork children with mod_php (phpMyAdmin
 * needs ≈20–40 MB each while it renders), a 64 MiB /tmp for uploads and a 16 MiB run dir (tmpfs count as memory).
 */
export const DB_ADMIN_LIMITS: Readonly<ResourceLimits> = { nanoCpus: 1_000_000_000, memoryBytes: 512 * MIB, pids: 64 };

/** DbAdminSpec is how the tools are reached: the loopback port the edge proxies the tools' host to. */
export interface DbAdminSpec {
  hostPort: number;
  limits?: ResourceLimits;
  /** How long to wait for Apache to answer (default READY_TIMEOUT_MS). */
  readyTimeoutMs?: number;
}

/** DbAdminServer is the running tools' container and where it answers HTTP (`127.0.0.1:<hostPort>`). */
export interface DbAdminServer extends EnsureResult {
  name: string;
  address: string;
}

/** DbAdminTicketLink is what the browser needs: `path` on the tools' host signs it in once, until `expiresAt`. */
export interface DbAdminTicketLink {
  token: string;
  path: string;
  expiresAt: Date;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_S = 10;
/** A temporary or claimed ticket file older than the longest ticket life was left by a crash: it is swept. */
const STALE_MS = TICKET_TTL_SECONDS.max * 1000;

/** ensureDir makes a directory (or keeps it) with exactly this owner and mode. */
async function ensureDir(path: string, mode: number, uid = 0, gid = 0): Promise<void> {
  await mkdir(path, { recursive: true, mode });
  await chown(path, uid, gid);
  await chmod(path, mode);
}

/**
 * ensureDbAdminDirs makes `<dataDir>/databases/admin` (root's, 0700: only the engine binds its parts) with sso/
 * and config/ (the tools' uid, 0700), and returns them.
 */
async function ensureDbAdminDirs(ctx: DockerDriver): Promise<{ ssoDir: string; configDir: string }> {
  await ensureDir(databasesRoot(ctx.dataDir), 0o755);
  await ensureDir(dbAdminDir(ctx.dataDir), 0o700);
  const ssoDir = dbAdminSsoDir(ctx.dataDir);
  const configDir = dbAdminConfigDir(ctx.dataDir);
  await ensureDir(ssoDir, 0o700, DB_ADMIN.uid, DB_ADMIN.gid);
  await ensureDir(configDir, 0o700, DB_ADMIN.uid, DB_ADMIN.gid);
  return { ssoDir, configDir };
}

/** writePrivateFile writes a file readable by the tools' uid only (0600), through a temporary name and a rename. */
async function writePrivateFile(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
    await chown(tmp, DB_ADMIN.uid, DB_ADMIN.gid);
    await rename(tmp, join(dir, name));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * ensureDbAdminSecrets keeps the installation's secrets (phpMyAdmin's blowfish_secret), generating them the first
 * time only: a new key would sign out everybody using phpMyAdmin's own login.
 */
async function ensureDbAdminSecrets(ctx: DockerDriver, configDir: string): Promise<void> {
  const file = join(configDir, DB_ADMIN.configFile);
  let current: string | undefined;
  try {
    current = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (current !== undefined && parseDbAdminSecrets(current)) {
    // Kept as it is, but always the tools' own and private (a restore from a backup may have changed both).
    await chown(file, DB_ADMIN.uid, DB_ADMIN.gid);
    await chmod(file, 0o600);
    return;
  }
  if (current !== undefined)
    ctx.logger?.warn({ file }, 'runtime: database admin secrets unreadable; generating new ones');
  await writePrivateFile(
    configDir,
    DB_ADMIN.configFile,
    renderDbAdminSecrets({ blowfishSecretHex: randomBytes(32).toString('hex') }),
  );
}

/** dbAdminLabels label the tools' container and network: this installation, DATABASES_OWNER, role `dbadmin`. */
function dbAdminLabels(ctx: DockerDriver): Record<string, string> {
  return ownershipLabels({
    instance: ctx.instance,
    tenantId: DATABASES_OWNER,
    role: 'dbadmin',
    component: DB_ADMIN_ROLE,
  });
}

/** dbAdminNetwork is the tools' bridge, `berth-<installation>-dbadmin` (ensureServiceNetwork). */
function dbAdminNetwork(ctx: DockerDriver): ServiceNetwork {
  return { name: dbAdminNetworkName(ctx.instance), labels: dbAdminLabels(ctx), what: 'database admin' };
}

/** httpStatus asks 127.0.0.1:<port>/ once and resolves with the status code (or rejects). */
function httpStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
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
 * waitForHttp polls the published port until Apache answers 200 on `/`, and fails early (CONTAINER_FAILED, with the
 * last log lines) when the container stops or restarts meanwhile.
 */
async function waitForHttp(ctx: DockerDriver, id: string, port: number, timeoutMs: number): Promise<void> {
  const container = ctx.docker.getContainer(id);
  const started = await callDocker('container inspect', () => container.inspect());
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const info = await callDocker('container inspect', () => container.inspect());
    if (!info.State.Running || info.State.Restarting || info.RestartCount > started.RestartCount) {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `The database admin tools (${info.Name.replace(/^\//, '')}) stopped before they answered (exit code ${info.State.ExitCode}); see their log lines in details.`,
        { details: { exitCode: info.State.ExitCode, logs: await lastLogLines(container) } },
      );
    }
    try {
      const status = await httpStatus(port);
      if (status === 200) return;
      last = `HTTP ${status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `The database admin tools did not answer on 127.0.0.1:${port} within ${Math.round(timeoutMs / 1000)} s; run the same operation again, or see their log lines in details.`,
        { details: { port, last, logs: await lastLogLines(container) } },
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * ensureDbAdmin converges the installation's database admin tools: the container `berth-dbadmin-<installation>`
 * (labels: this installation, owner DATABASES_OWNER, role and component `dbadmin`) on berth/dbadmin, phpMyAdmin
 * at /phpmyadmin/ and Adminer at /adminer/, then waits until it answers HTTP.
 *
 * - Reached only through 127.0.0.1:<hostPort> (the edge proxies the tools' host there), on a bridge of its own
 *   (ensureServiceNetwork). The tools reach the databases only through both servers' socket dirs, bound
 *   read-only; neither can be pointed at another server (see docker/images/dbadmin).
 * - Hardened like the database servers: its own unprivileged uid (1993), read-only root filesystem with a /tmp
 *   and a run dir tmpfs, no-new-privileges, every capability dropped, memory, CPU and pids caps.
 * - Single sign-on through files (createDbAdminTicket): `<dataDir>/databases/admin/sso` bound read-write; the
 *   secrets generated once in `<dataDir>/databases/admin/config` bound read-only.
 *
 * Idempotent: a second call with the same spec changes nothing (`unchanged`); a new port replaces the container.
 */
export async function ensureDbAdmin(ctx: DockerDriver, spec: DbAdminSpec): Promise<DbAdminServer> {
  const hostPort = assertPort(spec.hostPort, 'database admin port');
  const limits = spec.limits ?? DB_ADMIN_LIMITS;
  const { ssoDir, configDir } = await ensureDbAdminDirs(ctx);
  await ensureDbAdminSecrets(ctx, configDir);
  const network = await ensureServiceNetwork(ctx, dbAdminNetwork(ctx));
  const publish = publishOnLoopback(DB_ADMIN.port, hostPort);
  const name = dbAdminContainerName(ctx);
  const create: Omit<Docker.ContainerCreateOptions, 'name' | 'Image' | 'Labels'> = {
    User: `${DB_ADMIN.uid}:${DB_ADMIN.gid}`,
    ExposedPorts: publish.exposed,
    StopTimeout: STOP_TIMEOUT_S,
    HostConfig: hardenedHostConfig({
      network,
      limits,
      capAdd: [],
      binds: [
        ...(await databaseSocketBinds(ctx)),
        `${ssoDir}:${DB_ADMIN.ssoPath}`,
        `${configDir}:${DB_ADMIN.configDirPath}:ro`,
      ],
      portBindings: publish.bindings,
      // 1733 like Debian's PHP session dir: the tools' uid makes its own 0700 dirs there, nobody lists them.
      scratch: [{ path: DB_ADMIN.runDirPath, sizeMiB: 16, mode: 0o1733 }],
    }),
  };
  const result = await ensureContainer(ctx, {
    tenantId: DATABASES_OWNER,
    component: DB_ADMIN_ROLE,
    name,
    image: resolveImage(ctx.profile, { role: 'dbadmin' }),
    labels: dbAdminLabels(ctx),
    create,
    exclusivePorts: true,
    settleMs: 400,
  });
  await waitForHttp(ctx, result.id, hostPort, spec.readyTimeoutMs ?? READY_TIMEOUT_MS);
  if (result.action !== 'unchanged')
    ctx.logger?.info({ name, action: result.action, hostPort }, 'runtime: database admin tools converged');
  return { ...result, name, address: `127.0.0.1:${hostPort}` };
}

/**
 * removeDbAdmin stops and removes the tools' container and its network, and deletes the tickets nobody used (they
 * hold passwords). The secrets stay, so phpMyAdmin's cookie logins survive a re-creation. Idempotent: returns how
 * many containers went.
 */
export async function removeDbAdmin(ctx: DockerDriver): Promise<number> {
  const containers = await listComponentContainers(ctx, DATABASES_OWNER, DB_ADMIN_ROLE);
  for (const c of containers) await removeContainerById(ctx, c.Id);
  await removeServiceNetworks(ctx, dbAdminNetwork(ctx));
  const ssoDir = dbAdminSsoDir(ctx.dataDir);
  for (const entry of await listDir(ssoDir)) await rm(join(ssoDir, entry), { force: true });
  if (containers.length > 0)
    ctx.logger?.info({ containers: containers.length }, 'runtime: database admin tools removed');
  return containers.length;
}

/**
 * createDbAdminTicket writes a single sign-on ticket for a random token (32 bytes, base64url) and returns the path
 * that uses it: the browser opens `https://<tools' host>/sso/<token>` and is signed in to phpMyAdmin (MariaDB) or
 * Adminer (PostgreSQL, into `database`) as `user`, once, until `expiresAt`. The ticket is
 * `<dataDir>/databases/admin/sso/<sha256 hex of the token>.json` (0600, the tools' uid, written under a temporary
 * name and renamed, so the container never reads half a ticket); its JSON is
 * `{"engine","user","password","database"?,"expiresAt":<unix seconds>}` (buildDbAdminTicket validates it:
 * INVALID_INPUT). The token is stored nowhere: hand it to the browser and forget it.
 */
export async function createDbAdminTicket(ctx: DockerDriver, input: DbAdminTicketInput): Promise<DbAdminTicketLink> {
  const ticket = buildDbAdminTicket(input, new Date());
  const { ssoDir } = await ensureDbAdminDirs(ctx);
  const token = randomBytes(32).toString('base64url');
  await writePrivateFile(ssoDir, ticketFileName(token), renderDbAdminTicket(ticket));
  return { token, path: ssoPath(token), expiresAt: new Date(ticket.expiresAt * 1000) };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * sweepDbAdminTickets deletes the tickets that expired by `now` (and any that cannot be read as one), plus the
 * temporary and claimed files a crash left behind (older than the longest ticket life); returns how many files
 * it deleted. Tickets hold passwords: run it now and then (the container never uses an expired one anyway).
 */
export async function sweepDbAdminTickets(ctx: DockerDriver, now: Date = new Date()): Promise<number> {
  const dir = dbAdminSsoDir(ctx.dataDir);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let deleted = 0;
  for (const entry of await listDir(dir)) {
    const file = join(dir, entry);
    let expired: boolean;
    try {
      if (TICKET_FILE_RE.test(entry)) {
        const expiresAt = ticketExpiry(await readFile(file, 'utf8'));
        expired = expiresAt === undefined || expiresAt <= nowSeconds;
      } else if (entry.startsWith('.tmp-') || entry.startsWith('.claimed-')) {
        expired = now.getTime() - (await stat(file)).mtimeMs > STALE_MS;
      } else {
        continue;
      }
    } catch (err) {
      // Claimed (renamed) by the container between the listing and the read: nothing left to sweep.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (!expired) continue;
    await rm(file, { force: true });
    deleted += 1;
  }
  if (deleted > 0) ctx.logger?.info({ deleted }, 'runtime: expired database admin tickets deleted');
  return deleted;
}
