import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, lstat, mkdir, open, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { resolveImage } from '../catalog.js';
import {
  RESTIC_MOUNTS,
  assertExtraName,
  assertHostDir,
  assertRestorePath,
  assertSnapshotId,
  assertSnapshotPath,
  backupArgs,
  forgetArgs,
  isWithin,
  parseBackupErrors,
  parseBackupSummary,
  parseForgetOutput,
  parseLsOutput,
  parseSnapshots,
  parseStats,
  resticPattern,
  tenantTag,
  BACKUP_TAG,
  type RetentionPolicy,
  type ResticStats,
  type SnapshotEntry,
  type SnapshotInfo,
} from '../config/backup.config.js';
import { ensureImagePresent, listComponentContainers, removeContainerById } from '../docker/container.ops.js';
import { callDocker, engineMessage } from '../docker/docker.driver.js';
import { sitesDir } from '../docker/tenant-files.js';
import { ensureTenantsRootShared, withMountLock } from '../disk/shared-mount.js';
import { RuntimeError } from '../errors.js';
import { assertSlug, assertUid } from '../inputs.guard.js';
import { ownershipLabels, type ServiceRole } from '../labels.js';
import { tenantsRoot } from '../layout.js';
import { containerName } from '../naming.js';
import { hardenedHostConfig } from './host-config.js';
import type { DockerDriver, ResourceLimits } from '../runtime.types.js';

export type { RetentionPolicy, ResticStats, SnapshotEntry, SnapshotInfo } from '../config/backup.config.js';

/**
 * BACKUP_ROLE is the `berth.role` of every restic container: one-shot (it must join observe's ONE_SHOT_ROLES so
 * a reconcile pass never takes a running backup for a stray container of the tenant).
 */
export const BACKUP_ROLE: ServiceRole = 'backup';
/**
 * BACKUPS_OWNER is the `berth.tenant` label of restic containers that serve no single tenant (listing, stats,
 * forget, downloads): like DATABASES_OWNER, never a tenant slug, so no tenant operation selects them.
 */
export const BACKUPS_OWNER = '_backups';

/** BackupResult is one tenant backup, from restic's summary. */
export interface BackupResult {
  /** The snapshot's full id. */
  snapshotId: string;
  /** The snapshot's time (ISO 8601, UTC, whole seconds: the runtime sets it). */
  time: string;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  /** Bytes this backup added to the repository (after deduplication and compression). */
  dataAddedBytes: number;
  /** Bytes of every file the snapshot holds. */
  totalBytes: number;
  durationMs: number;
  /** Files restic could not read (`<path>: <phase>`): the snapshot was saved without them (restic's exit 3). */
  warnings: string[];
}

/** ExtraFolder is a host dir the panel prepared, saved at `/data/<name>` in the snapshot (read-only bind). */
export interface ExtraFolder {
  name: string;
  hostPath: string;
}

const DEFAULT_BACKUP_TIMEOUT_MS = 6 * 3600_000;
const DEFAULT_TIMEOUT_MS = 30 * 60_000;
/** restic needs its index in memory; a tenant's backup, restore or a prune of a large repository stays below this. */
const RESTIC_LIMITS: ResourceLimits = { nanoCpus: 2_000_000_000, memoryBytes: 1024 * 1024 * 1024, pids: 128 };
const RESTIC_TMP_MIB = 64;
/** At most this much of stdout is kept (JSON answers); stderr keeps its tail. */
const STDOUT_LIMIT = 64 * 1024 * 1024;
const STDERR_LIMIT = 256 * 1024;
/** After a timeout restic gets SIGINT (it removes its lock) and this long before SIGKILL. */
const INTERRUPT_GRACE_MS = 15_000;

// Capabilities, per kind of container (everything else is dropped; root's uid alone grants nothing else).
/** Reading the repository and key (root's own files) and writing its own tmpfs needs none. */
const CAPS_NONE: string[] = [];
/** A backup reads every tenant file, even one the tenant made unreadable. */
const CAPS_BACKUP = ['DAC_READ_SEARCH'];
/** A restore writes into the tenant's folders, sets owners and modes of files it does not own. */
const CAPS_RESTORE = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER'];
/** Extracting into a panel dir keeps the snapshot's owners and modes. */
const CAPS_EXTRACT = ['CHOWN', 'FOWNER'];

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new RuntimeError('INVALID_INPUT', message, { details });
}

// ---------------------------------------------------------------------------------------------------------
// Paths, key and repository

/** backupsDir is `<dataDir>/backups` (root's, 0700): the default repository and restic's cache. */
function backupsDir(ctx: DockerDriver): string {
  return join(ctx.dataDir, 'backups');
}

/** backupKeyFile is `<dataDir>/secrets/backup-repo.key`, beside the panel's data key. */
export function backupKeyFile(ctx: DockerDriver): string {
  return join(ctx.dataDir, 'secrets', 'backup-repo.key');
}

/** ensurePrivateDir makes a root-only directory (or checks one): a real directory, never a link, mode 0700. */
async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const st = await lstat(path);
  if (!st.isDirectory()) invalid(`${path} must be a directory, not a link or a file.`, { path });
  if ((st.mode & 0o077) !== 0) await chmod(path, 0o700);
}

/**
 * checkKeyFile opens the key without following a link and checks, on that descriptor, that it is a regular
 * file of the panel's user without group or other permissions (like the data key).
 */
async function checkKeyFile(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      invalid(`The backup repository password ${file} is missing; run ensureBackupRepo first.`, { file });
    throw new RuntimeError('INVALID_INPUT', `The backup repository password ${file} cannot be opened (${code}).`, {
      cause: err,
      details: { file },
    });
  }
  try {
    const st = await handle.stat();
    const uid = process.getuid?.() ?? 0;
    if (!st.isFile() || st.uid !== uid || (st.mode & 0o077) !== 0 || st.size < 32)
      invalid(`${file} must be a 0600 file of the panel's user holding the backup password; fix it with chmod 600.`, {
        file,
      });
  } finally {
    await handle.close();
  }
}

/** ensureBackupKey creates the repository password once (32 random bytes, base64url, 0600) and checks it. */
async function ensureBackupKey(ctx: DockerDriver): Promise<string> {
  const file = backupKeyFile(ctx);
  await ensurePrivateDir(join(ctx.dataDir, 'secrets'));
  try {
    await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    ctx.logger?.info({ file }, 'runtime: backup repository password created');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  await checkKeyFile(file);
  return file;
}

/**
 * resolveRepo is the repository's host dir: `<dataDir>/backups/repo`, or the caller's absolute path, which may
 * not lie under the tenants' folders.
 */
async function resolveRepo(ctx: DockerDriver, repo: string | undefined): Promise<string> {
  if (repo === undefined) return join(backupsDir(ctx), 'repo');
  assertHostDir(repo, 'backup repository path');
  const tenants = await realpath(tenantsRoot(ctx.dataDir)).catch(() => tenantsRoot(ctx.dataDir));
  const real = await realpath(repo).catch(() => repo);
  if (isWithin(real, tenants) || isWithin(repo, tenantsRoot(ctx.dataDir)))
    invalid(`The backup repository ${repo} may not lie inside the tenants' folders.`, { repo });
  return repo;
}

/** openRepo is an initialised repository and its password file, or INVALID_INPUT saying to create it. */
async function openRepo(ctx: DockerDriver, repo: string | undefined): Promise<{ repo: string; key: string }> {
  const dir = await resolveRepo(ctx, repo);
  try {
    await access(join(dir, 'config'));
  } catch {
    invalid(`There is no backup repository at ${dir}; create it with ensureBackupRepo first.`, { repo: dir });
  }
  const key = backupKeyFile(ctx);
  await checkKeyFile(key);
  return { repo: dir, key };
}

/** cacheDir is restic's cache (root's, 0700), bound only where no tenant file is. */
async function ensureCacheDir(ctx: DockerDriver): Promise<string> {
  const dir = join(backupsDir(ctx), 'cache');
  await ensurePrivateDir(backupsDir(ctx));
  await ensurePrivateDir(dir);
  return dir;
}

function repoBind(repo: string, writable: boolean): string {
  return `${repo}:${RESTIC_MOUNTS.repo}:${writable ? 'rw' : 'ro'}`;
}

function keyBind(key: string): string {
  return `${key}:${RESTIC_MOUNTS.key}:ro`;
}

// ---------------------------------------------------------------------------------------------------------
// One-shot restic containers

/** ResticRun is one restic container: what it runs, binds and may do. */
interface ResticRun {
  /** `berth.tenant` of the container: the tenant it serves, or BACKUPS_OWNER. */
  owner: string;
  /** `berth.component`; `exclusive` ones are one per owner at a time (a fixed container name). */
  component: string;
  exclusive?: boolean;
  cmd: string[];
  binds: string[];
  capAdd: string[];
  timeoutMs: number;
  cgroupParent?: string;
}

/** ResticOutput is how one container ended and what it printed. */
interface ResticOutput {
  exitCode: number | undefined;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** lastLines is the tail of a command's stderr for error details (never holds a secret: the key is a file). */
function lastLines(text: string, n = 20): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-n)
    .map((l) => (l.length > 500 ? `${l.slice(0, 500)}…` : l));
}

/**
 * demuxer is a Writable that splits Docker's multiplexed attach stream (8-byte frame headers: stream type, 0,
 * 0, 0, payload length) into stdout and stderr callbacks; `onStdout` may return a promise to hold the source
 * back (backpressure for downloads).
 */
function demuxer(onStdout: (chunk: Buffer) => void | Promise<void>, onStderr: (chunk: Buffer) => void): Writable {
  let pending: Buffer = Buffer.alloc(0);
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const waits: Promise<void>[] = [];
      while (pending.length >= 8) {
        const len = pending.readUInt32BE(4);
        if (pending.length < 8 + len) break;
        const type = pending[0];
        const payload = pending.subarray(8, 8 + len);
        pending = pending.subarray(8 + len);
        if (type === 2) onStderr(payload);
        else {
          const w = onStdout(payload);
          if (w) waits.push(w);
        }
      }
      if (waits.length === 0) cb();
      else Promise.all(waits).then(() => cb(), cb);
    },
  });
}

/** createResticContainer creates (not starts) one restic container, clearing a stopped exclusive leftover. */
async function createResticContainer(ctx: DockerDriver, run: ResticRun): Promise<Docker.Container> {
  const image = resolveImage(ctx.profile, { role: 'backup' });
  await ensureImagePresent(ctx, image);
  const suffix = run.exclusive ? '' : `-${randomBytes(5).toString('hex')}`;
  const name = containerName(run.owner, `${run.component}${suffix}`);
  if (run.exclusive) {
    for (const c of await listComponentContainers(ctx, run.owner, run.component)) {
      if (c.State === 'running' || c.State === 'created' || c.State === 'restarting') {
        throw new RuntimeError(
          'CONTAINER_FAILED',
          `A ${run.component} of ${run.owner} is already running; wait until it ends and try again.`,
          { details: { reason: 'busy', component: run.component } },
        );
      }
      await removeContainerById(ctx, c.Id);
    }
  }
  const hostConfig: Docker.HostConfig = {
    ...hardenedHostConfig({
      network: 'none',
      limits: RESTIC_LIMITS,
      capAdd: run.capAdd,
      binds: run.binds,
      scratch: [],
      tmpMiB: RESTIC_TMP_MIB,
      ...(run.cgroupParent ? { cgroupParent: run.cgroupParent } : {}),
    }),
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
  };
  try {
    return await ctx.docker.createContainer({
      name,
      Image: image.image,
      Labels: ownershipLabels({
        instance: ctx.instance,
        tenantId: run.owner,
        role: BACKUP_ROLE,
        component: run.component,
      }),
      User: '0:0',
      Cmd: run.cmd,
      // restic reads --time in TZ; the repository, key and cache paths are the image's defaults (its ENV).
      Env: ['TZ=UTC'],
      WorkingDir: '/tmp',
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      HostConfig: hostConfig,
    });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 409) {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `A ${run.component} of ${run.owner} is already running; wait until it ends and try again.`,
        { cause: err, details: { reason: 'busy', component: run.component } },
      );
    }
    return callDocker('container create', () => Promise.reject(err));
  }
}

/** interrupt stops a timed-out restic: SIGINT (it removes its lock), SIGKILL after a grace period. */
async function interrupt(ctx: DockerDriver, container: Docker.Container): Promise<void> {
  const log = (err: unknown) => ctx.logger?.warn({ err, id: container.id }, 'runtime: could not stop restic');
  await container.kill({ signal: 'SIGINT' }).catch(log);
  const stopped = await Promise.race([
    container.wait({ condition: 'not-running' }).then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), INTERRUPT_GRACE_MS)),
  ]).catch(() => true);
  if (!stopped) await container.kill().catch(log);
}

/**
 * runRestic runs one restic container to its end and removes it, whatever happens. The container runs as root
 * with every capability dropped but `capAdd`, a read-only root, a small /tmp, no network, no new privileges
 * and RESTIC_LIMITS; its binds are exactly `run.binds`. The password is a read-only bind of the key file:
 * neither its environment nor its command line holds a secret.
 */
async function runRestic(ctx: DockerDriver, run: ResticRun): Promise<ResticOutput> {
  const container = await createResticContainer(ctx, run);
  const out: Buffer[] = [];
  let outSize = 0;
  let overflow = false;
  const err: Buffer[] = [];
  let errSize = 0;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    const stream = (await callDocker('container attach', () =>
      container.attach({ stream: true, stdout: true, stderr: true }),
    )) as NodeJS.ReadableStream;
    const ended = new Promise<void>((resolve) => {
      const sink = demuxer(
        (c) => {
          outSize += c.length;
          if (outSize <= STDOUT_LIMIT) out.push(c);
          else overflow = true;
        },
        (c) => {
          err.push(c);
          errSize += c.length;
          while (errSize > STDERR_LIMIT && err.length > 1) errSize -= (err.shift() as Buffer).length;
        },
      );
      sink.on('finish', resolve);
      sink.on('error', () => resolve());
      stream.on('error', (e: Error) => {
        ctx.logger?.warn({ err: e, component: run.component }, 'runtime: restic output stream failed');
        resolve();
      });
      stream.pipe(sink);
    });
    await callDocker('container start', () => container.start());
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, run.timeoutMs);
    });
    await Promise.race([ended, deadline]);
    if (timedOut) await interrupt(ctx, container);
    let exitCode: number | undefined;
    try {
      exitCode = ((await container.wait({ condition: 'not-running' })) as { StatusCode?: number }).StatusCode;
    } catch (e) {
      ctx.logger?.debug({ err: engineMessage(e), component: run.component }, 'runtime: restic exit code unavailable');
    }
    if (overflow) {
      throw new RuntimeError('CONTAINER_FAILED', `restic's answer was larger than ${STDOUT_LIMIT} bytes.`, {
        details: { component: run.component },
      });
    }
    return {
      exitCode,
      timedOut,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
    };
  } finally {
    if (timer) clearTimeout(timer);
    await removeContainerById(ctx, container.id).catch((e: unknown) =>
      ctx.logger?.warn({ err: e, component: run.component }, 'runtime: could not remove a restic container'),
    );
  }
}

/** failed is the CONTAINER_FAILED error of a restic run that did not succeed. */
function failed(what: string, res: ResticOutput, timeoutMs: number): RuntimeError {
  const why = res.timedOut
    ? `it did not finish within ${Math.round(timeoutMs / 1000)} s`
    : `restic exited with code ${res.exitCode ?? 'unknown'}`;
  return new RuntimeError('CONTAINER_FAILED', `${what} failed (${why}); see restic's last lines in details.`, {
    details: {
      reason: res.timedOut ? 'timeout' : 'restic-failed',
      exitCode: res.exitCode,
      lastLines: lastLines(res.stderr),
    },
  });
}

/** foreign is the answer to a snapshot that is not the named tenant's (the guard's exit 4). */
function foreign(snapshotId: string, tenantId: string): RuntimeError {
  return new RuntimeError('INVALID_INPUT', `Snapshot ${snapshotId} is not a backup of tenant ${tenantId}.`, {
    details: { reason: 'snapshot-not-found', snapshotId },
  });
}

/** guarded wraps a restic command so it runs only on a snapshot of `tenantId` (berth-snapshot-guard). */
function guarded(cmd: string[], snapshotId: string, tenantId: string | undefined): string[] {
  return tenantId === undefined ? cmd : ['berth-snapshot-guard', snapshotId, assertSlug(tenantId, 'tenant id'), ...cmd];
}

// ---------------------------------------------------------------------------------------------------------
// Repository

/**
 * ensureBackupRepo makes the repository ready: its dir (root's, 0700; default `<dataDir>/backups/repo`), the
 * password (`<dataDir>/secrets/backup-repo.key`, 0600, created once) and `restic init` when the dir has no
 * `config` yet. Idempotent; `created` says whether this call initialised it.
 */
export async function ensureBackupRepo(
  ctx: DockerDriver,
  opts: { repo?: string } = {},
): Promise<{ repo: string; created: boolean }> {
  const repo = await resolveRepo(ctx, opts.repo);
  return withMountLock(`backup-repo:${repo}`, async () => {
    if (opts.repo === undefined) await ensurePrivateDir(backupsDir(ctx));
    await ensurePrivateDir(repo);
    const key = await ensureBackupKey(ctx);
    const exists = await access(join(repo, 'config')).then(
      () => true,
      () => false,
    );
    if (exists) return { repo, created: false };
    const res = await runRestic(ctx, {
      owner: BACKUPS_OWNER,
      component: 'restic-init',
      cmd: ['restic', 'init'],
      binds: [repoBind(repo, true), keyBind(key)],
      capAdd: CAPS_NONE,
      timeoutMs: 120_000,
    });
    if (res.exitCode !== 0) throw failed(`Creating the backup repository ${repo}`, res, 120_000);
    ctx.logger?.info({ repo }, 'runtime: backup repository created');
    return { repo, created: true };
  });
}

/** readOnlyRun is a container that only reads the repository (no lock, cache bound: no tenant file is). */
async function readOnlyRun(
  ctx: DockerDriver,
  repo: { repo: string; key: string },
  args: { component: string; cmd: string[]; timeoutMs?: number },
): Promise<ResticOutput> {
  const cache = await ensureCacheDir(ctx);
  return runRestic(ctx, {
    owner: BACKUPS_OWNER,
    component: args.component,
    cmd: args.cmd,
    binds: [repoBind(repo.repo, false), keyBind(repo.key), `${cache}:${RESTIC_MOUNTS.cache}:rw`],
    capAdd: CAPS_NONE,
    timeoutMs: args.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

/**
 * listSnapshots lists Berth's snapshots (tag `berth`, a `tenant=` tag matching the host), of one tenant or all,
 * oldest first. Snapshots other tools made in the same repository are left out.
 */
export async function listSnapshots(
  ctx: DockerDriver,
  params: { tenantId?: string; repo?: string } = {},
): Promise<SnapshotInfo[]> {
  const repo = await openRepo(ctx, params.repo);
  const scope =
    params.tenantId === undefined
      ? ['--tag', BACKUP_TAG]
      : ['--host', assertSlug(params.tenantId, 'tenant id'), '--tag', `${BACKUP_TAG},${tenantTag(params.tenantId)}`];
  const res = await readOnlyRun(ctx, repo, {
    component: 'restic-snapshots',
    cmd: ['restic', 'snapshots', '--json', '--no-lock', ...scope],
  });
  if (res.exitCode !== 0) throw failed('Listing the backups', res, DEFAULT_TIMEOUT_MS);
  const all = parseSnapshots(res.stdout);
  return params.tenantId === undefined ? all : all.filter((s) => s.tenantId === params.tenantId);
}

/** assertExtras validates the extra folders of a backup: names, and host dirs that are not the tenant's files. */
async function assertExtras(extras: ExtraFolder[], sites: string): Promise<ExtraFolder[]> {
  const realSites = await realpath(sites);
  const seen = new Set<string>();
  for (const e of extras) {
    assertExtraName(e?.name);
    assertHostDir(e.hostPath, `host path of backup folder ${e.name}`);
    if (seen.has(e.name)) invalid(`Backup folder ${e.name} is given twice.`, { name: e.name });
    seen.add(e.name);
    const st = await lstat(e.hostPath).catch(() => undefined);
    if (!st?.isDirectory())
      invalid(`The host path of backup folder ${e.name} must be an existing directory (not a link).`, { name: e.name });
    const real = await realpath(e.hostPath);
    if (isWithin(real, realSites) || isWithin(realSites, real) || isWithin(e.hostPath, sites))
      invalid(`Backup folder ${e.name} may not hold or lie inside the tenant's sites.`, { name: e.name });
  }
  return extras;
}

/** tenantSites is the tenant's sites/ as a bind source: it must exist and be a real directory. */
async function tenantSites(ctx: DockerDriver, tenantId: string): Promise<string> {
  const sites = sitesDir(ctx, tenantId);
  const st = await lstat(sites).catch(() => undefined);
  if (!st?.isDirectory())
    invalid(`Tenant ${tenantId} has no sites folder; wait until the tenant is provisioned.`, { tenantId });
  return sites;
}

/**
 * backupTenant saves a tenant's files (and the extra folders the panel prepared: database dumps, records) as one
 * restic snapshot: host = the tenant, tags `berth`, `tenant=<id>` and `tags`, paths `/data/sites` (the tenant's
 * `sites/`) and `/data/<name>` per extra. Incremental: restic's parent is the tenant's latest snapshot of the
 * same paths, and every chunk already in the repository (any tenant's) is stored once.
 *
 * restic runs in a one-shot container `berth-<tenant>-backup` (one backup per tenant at a time) as root with
 * DAC_READ_SEARCH only (it reads files a tenant made unreadable, and can write nothing of theirs), the sites and
 * extras bound read-only (sites with `rslave`), the repository and cache read-write, no network, a read-only
 * root and its own limits (inside `cgroupParent` when given). A tenant's links are saved as links and never
 * followed; `--one-file-system` keeps anything mounted below the binds out.
 *
 * Failures: INVALID_INPUT for a bad argument or a missing repository or sites folder; CONTAINER_FAILED when a
 * backup of the tenant is already running (`details.reason` `busy`), on a timeout (default 6 h) or when restic
 * fails (`details.lastLines`). Files restic could not read are `warnings`; the snapshot holds the rest.
 */
export async function backupTenant(
  ctx: DockerDriver,
  params: {
    tenantId: string;
    extra?: ExtraFolder[];
    tags?: string[];
    repo?: string;
    cgroupParent?: string;
    timeoutMs?: number;
  },
): Promise<BackupResult> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const timeoutMs = params.timeoutMs ?? DEFAULT_BACKUP_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 10_000) invalid('Invalid backup timeout: use at least 10000 ms.');
  const repo = await openRepo(ctx, params.repo);
  const sites = await tenantSites(ctx, tenantId);
  const extras = await assertExtras(params.extra ?? [], sites);
  const time = new Date(Math.floor(Date.now() / 1000) * 1000);
  const cmd = backupArgs({ tenantId, extraNames: extras.map((e) => e.name), tags: params.tags ?? [], time });
  const cache = await ensureCacheDir(ctx);
  await ensureTenantsRootShared(ctx);
  ctx.logger?.info({ tenantId, extras: extras.map((e) => e.name) }, 'runtime: backing up tenant');
  const res = await runRestic(ctx, {
    owner: tenantId,
    component: 'backup',
    exclusive: true,
    cmd,
    binds: [
      repoBind(repo.repo, true),
      keyBind(repo.key),
      `${cache}:${RESTIC_MOUNTS.cache}:rw`,
      `${sites}:${RESTIC_MOUNTS.sites}:ro,rslave`,
      ...extras.map((e) => `${e.hostPath}:${RESTIC_MOUNTS.data}/${e.name}:ro`),
    ],
    capAdd: CAPS_BACKUP,
    timeoutMs,
    ...(params.cgroupParent ? { cgroupParent: params.cgroupParent } : {}),
  });
  const summary = parseBackupSummary(res.stdout);
  // restic 0.14: 0 done, 3 saved without some files it could not read, 1 nothing saved.
  if (res.timedOut || (res.exitCode !== 0 && res.exitCode !== 3) || !summary)
    throw failed(`The backup of tenant ${tenantId}`, res, timeoutMs);
  const warnings = parseBackupErrors(res.stderr);
  if (warnings.length > 0)
    ctx.logger?.warn({ tenantId, warnings: warnings.slice(0, 20) }, 'runtime: backup incomplete');
  // restic's summary names the snapshot by its short id; the listing has the full one.
  const saved = (await listSnapshots(ctx, { tenantId, repo: repo.repo })).find((s) =>
    s.id.startsWith(summary.snapshotId),
  );
  ctx.logger?.info(
    { tenantId, snapshotId: summary.snapshotId, dataAdded: summary.dataAddedBytes, ms: summary.durationMs },
    'runtime: tenant backed up',
  );
  return {
    snapshotId: saved?.id ?? summary.snapshotId,
    time: saved?.time ?? time.toISOString(),
    filesNew: summary.filesNew,
    filesChanged: summary.filesChanged,
    filesUnmodified: summary.filesUnmodified,
    dataAddedBytes: summary.dataAddedBytes,
    totalBytes: summary.totalBytes,
    durationMs: summary.durationMs,
    warnings,
  };
}

/**
 * snapshotContents lists a folder of a snapshot for a file browser: its direct entries (files, folders, links;
 * devices, pipes and sockets are left out), or the entry itself when `path` is not a folder. `path` is absolute
 * inside the snapshot (`/data/sites/<site>/public`). With `tenantId`, a snapshot of another tenant is
 * INVALID_INPUT (`snapshot-not-found`), as is a path the snapshot does not hold (`path-not-found`).
 */
export async function snapshotContents(
  ctx: DockerDriver,
  params: { snapshotId: string; path: string; tenantId?: string; repo?: string },
): Promise<SnapshotEntry[]> {
  const snapshotId = assertSnapshotId(params.snapshotId);
  const path = assertSnapshotPath(params.path);
  const tenantId = params.tenantId === undefined ? undefined : assertSlug(params.tenantId, 'tenant id');
  const repo = await openRepo(ctx, params.repo);
  const res = await readOnlyRun(ctx, repo, {
    component: 'restic-ls',
    cmd: ['restic', 'ls', '--json', '--no-lock', snapshotId, path],
  });
  if (res.exitCode !== 0) throw failed(`Listing ${path} of snapshot ${snapshotId}`, res, DEFAULT_TIMEOUT_MS);
  const listing = parseLsOutput(res.stdout, path);
  if (tenantId !== undefined && listing.snapshot?.tenantId !== tenantId) throw foreign(snapshotId, tenantId);
  if (!listing.self) {
    throw new RuntimeError('INVALID_INPUT', `Snapshot ${snapshotId} holds no ${path}.`, {
      details: { reason: 'path-not-found', snapshotId, path },
    });
  }
  return listing.self.type === 'dir' ? listing.entries : [listing.self];
}

/** repoStats is the repository's size on disk (`restic stats --mode raw-data`: every pack, after dedup). */
export async function repoStats(ctx: DockerDriver, params: { repo?: string } = {}): Promise<ResticStats> {
  const repo = await openRepo(ctx, params.repo);
  const res = await readOnlyRun(ctx, repo, {
    component: 'restic-stats',
    cmd: ['restic', 'stats', '--json', '--no-lock', '--mode', 'raw-data'],
  });
  if (res.exitCode !== 0) throw failed('Reading the backup repository size', res, DEFAULT_TIMEOUT_MS);
  return parseStats(res.stdout);
}

/** snapshotSize is what restoring a snapshot would write (`restic stats --mode restore-size <id>`). */
export async function snapshotSize(
  ctx: DockerDriver,
  params: { snapshotId: string; tenantId?: string; repo?: string },
): Promise<ResticStats> {
  const snapshotId = assertSnapshotId(params.snapshotId);
  const repo = await openRepo(ctx, params.repo);
  const res = await readOnlyRun(ctx, repo, {
    component: 'restic-stats',
    cmd: guarded(
      ['restic', 'stats', '--json', '--no-lock', '--mode', 'restore-size', snapshotId],
      snapshotId,
      params.tenantId,
    ),
  });
  if (res.exitCode === 4 && params.tenantId !== undefined) throw foreign(snapshotId, params.tenantId);
  if (res.exitCode !== 0) throw failed(`Reading the size of snapshot ${snapshotId}`, res, DEFAULT_TIMEOUT_MS);
  return parseStats(res.stdout);
}

/** Owner is who restored files belong to: the tenant's uid and gid. */
export interface FileOwner {
  uid: number;
  gid: number;
}

/**
 * runRestore runs one of the image's restore scripts over a tenant's sites: the repository read-only (restic
 * `--no-lock`, no cache: with the tenant's files bound nothing else may be writable), sites read-write with
 * `rslave`, CAPS_RESTORE, one restore per tenant at a time.
 */
async function runRestore(
  ctx: DockerDriver,
  args: { tenantId: string; snapshotId: string; repo?: string; cmd: string[]; what: string },
): Promise<ResticOutput> {
  const repo = await openRepo(ctx, args.repo);
  const sites = await tenantSites(ctx, args.tenantId);
  await ensureTenantsRootShared(ctx);
  const res = await runRestic(ctx, {
    owner: args.tenantId,
    component: 'restore',
    exclusive: true,
    cmd: args.cmd,
    binds: [repoBind(repo.repo, false), keyBind(repo.key), `${sites}:${RESTIC_MOUNTS.sites}:rw,rslave`],
    capAdd: CAPS_RESTORE,
    timeoutMs: DEFAULT_BACKUP_TIMEOUT_MS,
  });
  if (res.exitCode === 4) throw foreign(args.snapshotId, args.tenantId);
  const missing = /^BERTH-MISSING (.*)$/m.exec(res.stdout)?.[1];
  if (res.exitCode === 3 && missing !== undefined) {
    throw new RuntimeError(
      'INVALID_INPUT',
      `Snapshot ${args.snapshotId} holds no ${args.what} ${missing}; nothing was restored.`,
      { details: { reason: 'path-not-found', snapshotId: args.snapshotId, missing } },
    );
  }
  if (res.exitCode !== 0 || !/^BERTH-OK$/m.test(res.stdout)) {
    const restored = [...res.stdout.matchAll(/^BERTH-RESTORED (.*)$/gm)].map((m) => m[1]);
    const err = failed(`Restoring from snapshot ${args.snapshotId}`, res, DEFAULT_BACKUP_TIMEOUT_MS);
    (err.details as Record<string, unknown>).restored = restored;
    throw err;
  }
  return res;
}

/**
 * restoreSites puts whole sites of a tenant's snapshot back, replacing the live ones, in one container running
 * the image's `berth-restore-sites` (see its header): the snapshot must be the tenant's and hold every site (else
 * INVALID_INPUT, nothing changed); each site is restored into a staging dir inside `sites/`, handed to `owner`
 * (`chown -R -h`, never following a link) and renamed into place after the live one was renamed aside, so
 * visitors see the old tree or the new one, never a mixture. Returns the sites restored.
 *
 * Failures: CONTAINER_FAILED (`details.restored` lists the sites that were already replaced) when restic or a
 * rename fails, or when a restore of the tenant is already running (`busy`).
 */
export async function restoreSites(
  ctx: DockerDriver,
  params: { tenantId: string; snapshotId: string; siteIds: string[]; owner: FileOwner; repo?: string },
): Promise<{ restored: string[] }> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const snapshotId = assertSnapshotId(params.snapshotId);
  if (!Array.isArray(params.siteIds) || params.siteIds.length === 0) invalid('Name at least one site to restore.');
  const siteIds = [...new Set(params.siteIds.map((s) => assertSlug(s, 'site id')))];
  const uid = assertUid(params.owner?.uid);
  const gid = assertUid(params.owner.gid, 'gid');
  ctx.logger?.info({ tenantId, snapshotId, siteIds }, 'runtime: restoring sites');
  await runRestore(ctx, {
    tenantId,
    snapshotId,
    ...(params.repo !== undefined ? { repo: params.repo } : {}),
    cmd: ['berth-restore-sites', snapshotId, tenantId, String(uid), String(gid), ...siteIds],
    what: 'site',
  });
  ctx.logger?.info({ tenantId, snapshotId, siteIds }, 'runtime: sites restored');
  return { restored: siteIds };
}

/**
 * restorePath puts one file or folder of a tenant's snapshot back into a live site (`path` relative to the
 * site's folder: `public/index.php`, `public/img`), through the image's `berth-restore-path`: staged beside its
 * destination, handed to `owner`, renamed over the live entry; missing parent folders are made (the tenant's).
 */
export async function restorePath(
  ctx: DockerDriver,
  params: { tenantId: string; snapshotId: string; siteId: string; path: string; owner: FileOwner; repo?: string },
): Promise<void> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const snapshotId = assertSnapshotId(params.snapshotId);
  const siteId = assertSlug(params.siteId, 'site id');
  const path = assertRestorePath(params.path);
  const uid = assertUid(params.owner?.uid);
  const gid = assertUid(params.owner.gid, 'gid');
  await runRestore(ctx, {
    tenantId,
    snapshotId,
    ...(params.repo !== undefined ? { repo: params.repo } : {}),
    cmd: ['berth-restore-path', snapshotId, tenantId, String(uid), String(gid), siteId, path],
    what: 'path',
  });
  ctx.logger?.info({ tenantId, snapshotId, siteId, path }, 'runtime: path restored');
}

/**
 * dumpPath streams one path of a snapshot (`restic dump`): a file's bytes, or a tar of a folder. The container
 * is removed when the stream ends or is destroyed; a restic failure (no such path, a link, a foreign snapshot
 * with `tenantId`) destroys the stream with a RuntimeError after the bytes restic wrote, so a download is never
 * silently cut short.
 */
export async function dumpPath(
  ctx: DockerDriver,
  params: { snapshotId: string; path: string; tenantId?: string; repo?: string },
): Promise<Readable> {
  const snapshotId = assertSnapshotId(params.snapshotId);
  const path = assertSnapshotPath(params.path);
  const tenantId = params.tenantId === undefined ? undefined : assertSlug(params.tenantId, 'tenant id');
  const repo = await openRepo(ctx, params.repo);
  const cache = await ensureCacheDir(ctx);
  const container = await createResticContainer(ctx, {
    owner: BACKUPS_OWNER,
    component: 'restic-dump',
    cmd: guarded(['restic', 'dump', '--no-lock', snapshotId, path], snapshotId, tenantId),
    binds: [repoBind(repo.repo, false), keyBind(repo.key), `${cache}:${RESTIC_MOUNTS.cache}:rw`],
    capAdd: CAPS_NONE,
    timeoutMs: DEFAULT_BACKUP_TIMEOUT_MS,
  });
  const output = new PassThrough();
  const stderr: Buffer[] = [];
  let finished = false;
  const cleanup = () =>
    removeContainerById(ctx, container.id).catch((e: unknown) =>
      ctx.logger?.warn({ err: e }, 'runtime: could not remove a restic dump container'),
    );
  try {
    const stream = (await callDocker('container attach', () =>
      container.attach({ stream: true, stdout: true, stderr: true }),
    )) as NodeJS.ReadableStream & { destroy?: () => void };
    let firstStdout = true;
    const sink = demuxer(
      (c) => {
        // The guard's refusal is its only output line.
        if (firstStdout && tenantId !== undefined && c.toString('latin1').startsWith('BERTH-FOREIGN')) return;
        firstStdout = false;
        if (output.destroyed || output.write(c)) return;
        return new Promise<void>((resolve) => {
          const done = () => {
            output.off('drain', done);
            output.off('close', done);
            resolve();
          };
          output.on('drain', done);
          output.on('close', done);
        });
      },
      (c) => {
        if (stderr.reduce((n, b) => n + b.length, 0) < STDERR_LIMIT) stderr.push(c);
      },
    );
    sink.on('finish', () => {
      finished = true;
      void (async () => {
        let code: number | undefined;
        try {
          code = ((await container.wait({ condition: 'not-running' })) as { StatusCode?: number }).StatusCode;
        } catch (e) {
          ctx.logger?.debug({ err: engineMessage(e) }, 'runtime: restic dump exit code unavailable');
        }
        await cleanup();
        if (code === 0) output.end();
        else if (code === 4 && tenantId !== undefined) output.destroy(foreign(snapshotId, tenantId));
        else {
          output.destroy(
            new RuntimeError('CONTAINER_FAILED', `Reading ${path} of snapshot ${snapshotId} failed.`, {
              details: { exitCode: code, lastLines: lastLines(Buffer.concat(stderr).toString('utf8')) },
            }),
          );
        }
      })();
    });
    stream.pipe(sink);
    // A reader that stops early: the container is killed and removed.
    output.on('close', () => {
      if (finished) return;
      stream.destroy?.();
      void container
        .kill()
        .catch(() => undefined)
        .then(cleanup);
    });
    await callDocker('container start', () => container.start());
  } catch (err) {
    await cleanup();
    throw err;
  }
  return output;
}

/**
 * extractPaths restores paths of a snapshot (`/data/databases`, `/data/panel`; never `/data/sites`, which
 * restoreSites puts back) into a root-owned host dir the panel made, as `<dest>/data/<name>/…`. Returns the host
 * paths restored and the snapshot paths the snapshot does not hold.
 */
export async function extractPaths(
  ctx: DockerDriver,
  params: { snapshotId: string; paths: string[]; dest: string; tenantId?: string; repo?: string },
): Promise<{ restored: string[]; missing: string[] }> {
  const snapshotId = assertSnapshotId(params.snapshotId);
  if (!Array.isArray(params.paths) || params.paths.length === 0) invalid('Name at least one path to extract.');
  const paths = [...new Set(params.paths.map(assertSnapshotPath))];
  for (const p of paths) {
    if (p === RESTIC_MOUNTS.data || isWithin(p, RESTIC_MOUNTS.sites) || isWithin(RESTIC_MOUNTS.sites, p))
      invalid(`Path ${p} holds tenant files; put sites back with restoreSites or restorePath.`, { path: p });
  }
  const dest = assertHostDir(params.dest, 'extraction folder');
  const st = await lstat(dest).catch(() => undefined);
  if (!st?.isDirectory()) invalid(`The extraction folder ${dest} must be an existing directory.`, { dest });
  const realDest = await realpath(dest);
  const tenants = await realpath(tenantsRoot(ctx.dataDir)).catch(() => tenantsRoot(ctx.dataDir));
  if (isWithin(realDest, tenants)) invalid(`The extraction folder ${dest} may not lie inside the tenants' folders.`);
  const repo = await openRepo(ctx, params.repo);
  const cache = await ensureCacheDir(ctx);
  const cmd = [
    'restic',
    'restore',
    '--no-lock',
    snapshotId,
    '--target',
    RESTIC_MOUNTS.restoreTarget,
    ...paths.flatMap((p) => ['--include', resticPattern(p)]),
  ];
  const res = await runRestic(ctx, {
    owner: BACKUPS_OWNER,
    component: 'restic-extract',
    cmd: guarded(cmd, snapshotId, params.tenantId),
    binds: [
      repoBind(repo.repo, false),
      keyBind(repo.key),
      `${cache}:${RESTIC_MOUNTS.cache}:rw`,
      `${dest}:${RESTIC_MOUNTS.restoreTarget}:rw`,
    ],
    capAdd: CAPS_EXTRACT,
    timeoutMs: DEFAULT_BACKUP_TIMEOUT_MS,
  });
  if (res.exitCode === 4 && params.tenantId !== undefined) throw foreign(snapshotId, params.tenantId);
  if (res.exitCode !== 0) throw failed(`Extracting from snapshot ${snapshotId}`, res, DEFAULT_BACKUP_TIMEOUT_MS);
  const restored: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const host = join(dest, p);
    if (
      await lstat(host).then(
        () => true,
        () => false,
      )
    )
      restored.push(host);
    else missing.push(p);
  }
  return { restored, missing };
}

/** writeRun is a container that changes the repository (locks; cache bound). */
async function writeRun(
  ctx: DockerDriver,
  repo: { repo: string; key: string },
  args: { component: string; cmd: string[]; timeoutMs?: number },
): Promise<ResticOutput> {
  const cache = await ensureCacheDir(ctx);
  return runRestic(ctx, {
    owner: BACKUPS_OWNER,
    component: args.component,
    cmd: args.cmd,
    binds: [repoBind(repo.repo, true), keyBind(repo.key), `${cache}:${RESTIC_MOUNTS.cache}:rw`],
    capAdd: CAPS_NONE,
    timeoutMs: args.timeoutMs ?? DEFAULT_BACKUP_TIMEOUT_MS,
  });
}

/**
 * unlockRepo removes the stale locks a restic killed with the panel left behind (`restic unlock`: only locks
 * whose process is gone or older than 30 minutes), so the next backup or forget is not refused for them. Run
 * at the panel's start, when nothing of this installation uses the repository.
 */
export async function unlockRepo(ctx: DockerDriver, params: { repo?: string } = {}): Promise<void> {
  const repo = await openRepo(ctx, params.repo);
  const res = await writeRun(ctx, repo, { component: 'restic-unlock', cmd: ['restic', 'unlock'], timeoutMs: 120_000 });
  if (res.exitCode !== 0) throw failed('Removing stale locks of the backup repository', res, 120_000);
}

/**
 * pruneRepo deletes the data no snapshot uses any more, after retention forgot snapshots (`restic prune`: an
 * exclusive lock, so backups wait; the panel runs it once a day).
 */
export async function pruneRepo(ctx: DockerDriver, params: { repo?: string } = {}): Promise<void> {
  await prune(ctx, await openRepo(ctx, params.repo));
}

/** prune deletes the data no snapshot uses any more (`restic prune`: exclusive lock, can take long). */
async function prune(ctx: DockerDriver, repo: { repo: string; key: string }): Promise<void> {
  const res = await writeRun(ctx, repo, { component: 'restic-prune', cmd: ['restic', 'prune'] });
  if (res.exitCode !== 0) throw failed('Pruning the backup repository', res, DEFAULT_BACKUP_TIMEOUT_MS);
}

/**
 * forgetSnapshots applies a retention policy to Berth's snapshots, of one tenant or of each tenant apart
 * (grouped by host only), and with `prune` deletes the data nothing uses any more. Returns the removed ids.
 */
export async function forgetSnapshots(
  ctx: DockerDriver,
  params: { tenantId?: string; keep: RetentionPolicy; prune: boolean; repo?: string },
): Promise<{ removed: string[] }> {
  const cmd = forgetArgs({
    ...(params.tenantId !== undefined ? { tenantId: params.tenantId } : {}),
    keep: params.keep,
  });
  const repo = await openRepo(ctx, params.repo);
  const res = await writeRun(ctx, repo, { component: 'restic-forget', cmd });
  if (res.exitCode !== 0) throw failed('Forgetting old backups', res, DEFAULT_BACKUP_TIMEOUT_MS);
  const removed = parseForgetOutput(res.stdout);
  if (params.prune && removed.length > 0) await prune(ctx, repo);
  ctx.logger?.info({ tenantId: params.tenantId, removed: removed.length }, 'runtime: old backups forgotten');
  return { removed };
}

/** forgetSnapshot removes one snapshot (with `tenantId`: only if it is that tenant's), then prunes if asked. */
export async function forgetSnapshot(
  ctx: DockerDriver,
  params: { snapshotId: string; prune: boolean; tenantId?: string; repo?: string },
): Promise<void> {
  const snapshotId = assertSnapshotId(params.snapshotId);
  const repo = await openRepo(ctx, params.repo);
  const res = await writeRun(ctx, repo, {
    component: 'restic-forget',
    cmd: guarded(['restic', 'forget', snapshotId], snapshotId, params.tenantId),
  });
  if (res.exitCode === 4 && params.tenantId !== undefined) throw foreign(snapshotId, params.tenantId);
  if (res.exitCode !== 0) throw failed(`Forgetting snapshot ${snapshotId}`, res, DEFAULT_BACKUP_TIMEOUT_MS);
  if (params.prune) await prune(ctx, repo);
}
