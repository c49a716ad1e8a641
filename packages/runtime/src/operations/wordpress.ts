import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { resolveImage } from '../catalog.js';
import {
  assertSiteUrl,
  assertTablePrefix,
  renderWpConfig,
  WP_DEFAULT_TABLE_PREFIX,
} from '../config/wordpress.config.js';
import { assertSqlName } from '../config/database-server.config.js';
import { ensureImagePresent, listComponentContainers, removeContainerById } from '../docker/container.ops.js';
import { callDocker, engineMessage } from '../docker/docker.driver.js';
import { defaultPhpIndex, sitesDir } from '../docker/tenant-files.js';
import { ensureTenantsRootShared } from '../disk/shared-mount.js';
import { RuntimeError, type TRuntimeErrorCode } from '../errors.js';
import { assertDocumentRoot, assertSlug, assertUid } from '../inputs.guard.js';
import { ownershipLabels } from '../labels.js';
import { SITES_MOUNT, containerName } from '../naming.js';
import { databaseSocketBinds } from './database-server.js';
import { hardenedHostConfig } from './host-config.js';
import type { DockerDriver, ResourceLimits, TenantIdentity } from '../runtime.types.js';

/** WordPressInstallParams is one WordPress installation into a tenant's site, with its database and admin. */
export interface WordPressInstallParams {
  tenant: TenantIdentity;
  siteId: string;
  /** `https://<hostname>` visitors use (WP_HOME and WP_SITEURL). */
  siteUrl: string;
  /** The blog's title. */
  title: string;
  /** The first administrator. `user` follows WordPress's strict rule: letters, digits, space, `_ . - @`. */
  admin: { user: string; password: string; email: string };
  /** An existing MariaDB database and a user with every privilege on it (the tables are created here). */
  db: { name: string; user: string; password: string };
  /** WordPress's table prefix (default `wp_`). */
  tablePrefix?: string;
  /** The site's document root inside its folder (default `public`, as a PHP site's scaffold has it). */
  documentRoot?: string;
  /** How long the installation may take (default 120 s); undoing a failed one may take up to 30 s more. */
  timeoutMs?: number;
  /** The tenant's parent cgroup (ensureTenantCgroup): the installer then counts in the plan's totals. */
  cgroupParent?: string;
}

/** WordPressInstallResult is what was installed. */
export interface WordPressInstallResult {
  version: string;
}

/** WORDPRESS_INSTALLER_ROLE is the `berth.role` of the installer: a one-shot role (observe's ONE_SHOT_ROLES). */
export const WORDPRESS_INSTALLER_ROLE = 'installer';

/** wordpressInstallerComponent is the `berth.component` of the installer of one site (one at a time per site). */
export function wordpressInstallerComponent(siteId: string): string {
  return `wp-install-${assertSlug(siteId, 'site id')}`;
}

const INSTALLER = '/usr/local/lib/berth/wp-install.php';
const DEFAULT_DOCUMENT_ROOT = 'public';
const DEFAULT_TIMEOUT_MS = 120_000;
const ROLLBACK_TIMEOUT_MS = 30_000;
/** The installer's own caps: PHP's CLI loading WordPress and `cp` of ≈3,000 files need little. */
const INSTALLER_LIMITS: ResourceLimits = { nanoCpus: 1_000_000_000, memoryBytes: 384 * 1024 * 1024, pids: 64 };
const INSTALLER_TMP_MIB = 16;
/** At most this much of the installer's output is kept (its tail). */
const OUTPUT_LIMIT = 256 * 1024;

// WordPress's sanitize_user(…, true) keeps exactly these; the installer checks with WordPress's own too.
const WP_USER_RE = /^[A-Za-z0-9_.@-](?:[A-Za-z0-9 _.@-]{0,58}[A-Za-z0-9_.@-])?$/;
const EMAIL_RE =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
/** hasControl says whether text holds a control character (C0 or DEL), which no title needs. */
function hasControl(text: string): boolean {
  return [...text].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f');
}

function invalid(what: string, why: string): never {
  throw new RuntimeError('INVALID_INPUT', `Invalid ${what}: ${why}.`, { details: { what } });
}

/** InstallerRun is what one installer container did. */
interface InstallerRun {
  exitCode: number | undefined;
  timedOut: boolean;
  result: InstallerResult | undefined;
  /** The last lines of output besides the protocol lines (PHP's warnings, cp's errors). */
  lastLines: string[];
}

/** InstallerResult is the installer's `BERTH-RESULT` line (see the header of wp-install.php). */
interface InstallerResult {
  ok: boolean;
  version?: string;
  rolledBack?: boolean;
  phase?: 'precheck' | 'install' | 'rollback';
  reason?: string;
  message?: string;
}

/** keepTail appends a chunk to a buffer list, dropping the oldest beyond OUTPUT_LIMIT bytes. */
function keepTail(chunks: Buffer[], chunk: Buffer): void {
  chunks.push(chunk);
  let size = chunks.reduce((n, c) => n + c.length, 0);
  while (size > OUTPUT_LIMIT && chunks.length > 1) size -= (chunks.shift() as Buffer).length;
}

/** parseOutput splits the installer's output into its result line and the other lines. */
function parseOutput(stdout: string, stderr: string): { result: InstallerResult | undefined; lastLines: string[] } {
  let result: InstallerResult | undefined;
  const other: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('BERTH-RESULT ')) {
      try {
        result = JSON.parse(line.slice('BERTH-RESULT '.length)) as InstallerResult;
      } catch {
        other.push(line);
      }
    } else if (!line.startsWith('BERTH-EVENT ') && line.trim() !== '') other.push(line);
  }
  for (const line of stderr.split('\n')) if (line.trim() !== '') other.push(line);
  return { result, lastLines: other.slice(-20).map((l) => (l.length > 500 ? `${l.slice(0, 500)}…` : l)) };
}

/**
 * runInstaller runs wp-install.php once in a fresh container and removes the container again, whatever
 * happens: the request (with every secret) goes to its stdin, never into its arguments or environment, so
 * neither `ps` nor `docker inspect` shows it. The container runs as the tenant, with no network, a read-only
 * root, no capability and its own small limits; `timeout` inside it kills PHP a little before `timeoutMs`, and
 * the container is killed at `timeoutMs` if it still runs.
 */
async function runInstaller(
  ctx: DockerDriver,
  args: {
    name: string;
    image: string;
    labels: Record<string, string>;
    user: string;
    binds: string[];
    cgroupParent: string | undefined;
    mode: 'install' | 'rollback';
    siteId: string;
    documentRoot: string;
    input: string;
    timeoutMs: number;
  },
): Promise<InstallerRun> {
  const innerSeconds = Math.max(5, Math.floor(args.timeoutMs / 1000) - 3);
  const hostConfig: Docker.HostConfig = {
    ...hardenedHostConfig({
      network: 'none',
      limits: INSTALLER_LIMITS,
      capAdd: [],
      binds: args.binds,
      scratch: [],
      tmpMiB: INSTALLER_TMP_MIB,
      ...(args.cgroupParent ? { cgroupParent: args.cgroupParent } : {}),
    }),
    // One task: never restarted.
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
  };
  let container: Docker.Container;
  try {
    container = await ctx.docker.createContainer({
      name: args.name,
      Image: args.image,
      Labels: args.labels,
      User: args.user,
      Cmd: [
        'timeout',
        '-s',
        'KILL',
        String(innerSeconds),
        'php',
        '-d',
        'display_errors=stderr',
        '-d',
        'log_errors=0',
        '-d',
        'memory_limit=256M',
        INSTALLER,
        args.mode,
        args.siteId,
        args.documentRoot,
      ],
      Env: ['HOME=/tmp'],
      WorkingDir: '/tmp',
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: true,
      StdinOnce: true,
      Tty: false,
      HostConfig: hostConfig,
    });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 409) {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `WordPress is already being installed into site ${args.siteId}; wait until that installation ends and try again.`,
        { cause: err, details: { reason: 'install-running', siteId: args.siteId } },
      );
    }
    return callDocker('container create', () => Promise.reject(err));
  }
  const out: Buffer[] = [];
  const errOut: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    const stream = (await callDocker('container attach', () =>
      container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }),
    )) as NodeJS.ReadWriteStream;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (c: Buffer) => keepTail(out, c));
    stderr.on('data', (c: Buffer) => keepTail(errOut, c));
    ctx.docker.modem.demuxStream(stream, stdout, stderr);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', (e: Error) => {
        ctx.logger?.warn({ err: e, name: args.name }, 'runtime: installer output stream failed');
        resolve();
      });
    });
    await callDocker('container start', () => container.start());
    // Half-close: the engine closes the process's stdin (StdinOnce), so the installer reads to the end.
    stream.end(args.input);
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, args.timeoutMs);
    });
    await Promise.race([ended, deadline]);
    if (timedOut) {
      await container.kill().catch((e: unknown) => {
        ctx.logger?.warn({ err: e, name: args.name }, 'runtime: could not kill the timed-out installer');
      });
    }
    let exitCode: number | undefined;
    try {
      const state = (await container.wait({ condition: 'not-running' })) as { StatusCode?: number };
      exitCode = state.StatusCode;
    } catch (err) {
      // Removed meanwhile (a reconcile pass clearing a stopped one-shot): the output still says how it ended.
      ctx.logger?.debug({ err: engineMessage(err), name: args.name }, 'runtime: installer exit code unavailable');
    }
    const parsed = parseOutput(Buffer.concat(out).toString('utf8'), Buffer.concat(errOut).toString('utf8'));
    return { exitCode, timedOut, ...parsed };
  } finally {
    if (timer) clearTimeout(timer);
    await removeContainerById(ctx, container.id).catch((err: unknown) =>
      ctx.logger?.warn({ err, name: args.name }, 'runtime: could not remove the WordPress installer container'),
    );
  }
}

/** refusalFor maps a precheck refusal of the installer to the error the caller shows (nothing was changed). */
function refusalFor(result: InstallerResult, siteId: string, lastLines: string[]): RuntimeError {
  const said = result.message ?? 'the installer gave no reason';
  const fixes: Record<string, [TRuntimeErrorCode, string]> = {
    'site-not-empty': [
      'INVALID_INPUT',
      "install into an empty site or one that still shows Berth's default page, or move the site's files away first",
    ],
    'site-missing': ['INVALID_INPUT', 'wait until the site is provisioned, then try again'],
    'database-not-empty': ['INVALID_INPUT', 'use an empty database or another table prefix'],
    'database-login': [
      'INVALID_INPUT',
      "check that the database and its user exist, that the user may use the database, and the user's password",
    ],
    'database-unreachable': [
      'CONTAINER_FAILED',
      'the MariaDB server does not answer on its socket: make sure it runs (ensureDatabaseServer) and try again',
    ],
    'invalid-request': ['INVALID_INPUT', 'fix the value and try again'],
  };
  const [code, fix] = fixes[result.reason ?? ''] ?? [
    'CONTAINER_FAILED',
    'try again; if it keeps failing, see the installer output in details',
  ];
  return new RuntimeError(
    code,
    `WordPress was not installed into site ${siteId}, and nothing was changed: ${said} To go on, ${fix}.`,
    {
      details: { reason: result.reason ?? 'unknown', siteId, lastLines },
    },
  );
}

/**
 * installWordPress installs WordPress into a tenant's site in one one-shot container of `berth/wordpress`
 * (labels: the tenant, role `installer`, component `wp-install-<site>`; observe keeps it out of the tenant's
 * runtime while it runs, and removeTenant removes it), run as the tenant's uid:gid with no network, a
 * read-only root, a small /tmp, no capability, no new privileges and its own memory/pids caps. It binds the
 * tenant's `sites/` (never `sites/<site>`, which the tenant could swap for a link; see app-container.ts) at
 * /srv/sites with `rslave`, and the database servers' sockets read-only (/run/mysqld).
 *
 * Inside, as the tenant (wp-install.php): it refuses, changing nothing, unless the document root is empty or
 * holds only Berth's untouched default index.php (defaultPhpIndex, compared by sha256) and the database has no
 * table with the prefix; then copies WordPress (files 0644, folders 0755, the tenant's), writes wp-config.php
 * (renderWpConfig, 0600: only the tenant's PHP-FPM reads it), runs wp_install() (a public blog, the given
 * admin) and sets the permalinks to /%postname%/ (nginx's try_files and Apache's FallbackResource send those
 * to index.php). Every secret travels in a JSON request on the container's stdin.
 *
 * Failures: a refusal is INVALID_INPUT (CONTAINER_FAILED when the database server does not answer) and changed
 * nothing; a failure after the copy began (or a timeout) runs the installer's rollback in a second container
 * (drop the prefix's tables, remove what was copied and written, put the default page back) and throws
 * CONTAINER_FAILED. `details` has `reason` and the installer's last output lines (never a secret).
 */
export async function installWordPress(
  ctx: DockerDriver,
  params: WordPressInstallParams,
): Promise<WordPressInstallResult> {
  const { tenant } = params;
  const tenantId = assertSlug(tenant.tenantId, 'tenant id');
  const siteId = assertSlug(params.siteId, 'site id');
  const uid = assertUid(tenant.uid);
  const gid = assertUid(tenant.gid, 'gid');
  const documentRoot = assertDocumentRoot(params.documentRoot ?? DEFAULT_DOCUMENT_ROOT);
  const tablePrefix = assertTablePrefix(params.tablePrefix ?? WP_DEFAULT_TABLE_PREFIX);
  const siteUrl = assertSiteUrl(params.siteUrl);
  const timeoutMs = params.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 10_000) invalid('timeout', 'use at least 10000 ms');
  const { title, admin, db } = params;
  if (typeof title !== 'string' || title.trim() === '' || title.length > 200 || hasControl(title))
    invalid('site title', 'use 1–200 characters without control characters');
  if (typeof admin?.user !== 'string' || !WP_USER_RE.test(admin.user))
    invalid('admin user name', 'use 1–60 letters, digits, spaces (not first or last) and _ . - @');
  if (typeof admin.email !== 'string' || admin.email.length > 100 || !EMAIL_RE.test(admin.email))
    invalid('admin email address', 'use an address like name@example.com');
  if (typeof admin.password !== 'string' || admin.password.trim() === '' || admin.password.includes('\0'))
    invalid('admin password', 'it must not be empty');
  if (admin.password !== admin.password.trim())
    invalid('admin password', 'WordPress ignores spaces at its start and end; leave them out');
  assertSqlName('mariadb', db?.name);
  assertSqlName('mariadb', db.user);
  const wpConfig = renderWpConfig({ dbName: db.name, dbUser: db.user, dbPassword: db.password, tablePrefix, siteUrl });

  const started = Date.now();
  const log = ctx.logger;
  const image = resolveImage(ctx.profile, { role: 'wordpress' });
  await ensureImagePresent(ctx, image);
  // Docker would make a missing bind source itself, as root: the tenant's sites/ must already be the runtime's.
  const sites = sitesDir(ctx, tenantId);
  const st = await lstat(sites).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new RuntimeError(
      'INVALID_INPUT',
      `Tenant ${tenantId} has no sites folder yet, so WordPress cannot be installed into site ${siteId}; wait until the tenant is provisioned.`,
      { details: { reason: 'site-missing', siteId } },
    );
  }
  await ensureTenantsRootShared(ctx);
  const binds = [`${sites}:${SITES_MOUNT}:rslave`, ...(await databaseSocketBinds(ctx))];
  const component = wordpressInstallerComponent(siteId);
  const name = containerName(tenantId, component);
  for (const c of await listComponentContainers(ctx, tenantId, component)) {
    if (c.State === 'running' || c.State === 'created' || c.State === 'restarting') {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `WordPress is already being installed into site ${siteId}; wait until that installation ends (at most ${Math.ceil(timeoutMs / 1000)} s) and try again.`,
        { details: { reason: 'install-running', siteId } },
      );
    }
    // A stopped one left over by an earlier run that could not remove it.
    await removeContainerById(ctx, c.Id);
  }

  const scaffold = defaultPhpIndex();
  const request = {
    scaffold: { sha256: createHash('sha256').update(scaffold).digest('hex'), text: scaffold },
    wpConfig,
    db: { name: db.name, user: db.user, password: db.password, prefix: tablePrefix },
    site: { url: siteUrl, title },
    admin: { user: admin.user, password: admin.password, email: admin.email },
  };
  const run = (mode: 'install' | 'rollback', input: string, ms: number) =>
    runInstaller(ctx, {
      name,
      image: image.image,
      labels: ownershipLabels({
        instance: ctx.instance,
        tenantId,
        role: WORDPRESS_INSTALLER_ROLE,
        component,
        siteId,
      }),
      user: `${uid}:${gid}`,
      binds,
      cgroupParent: params.cgroupParent,
      mode,
      siteId,
      documentRoot,
      input,
      timeoutMs: ms,
    });

  log?.info({ tenantId, siteId, documentRoot }, 'runtime: installing WordPress');
  const install = await run('install', JSON.stringify(request), timeoutMs);
  const result = install.result;
  if (result?.ok && install.exitCode !== undefined && install.exitCode !== 0) {
    log?.warn(
      { tenantId, siteId, exitCode: install.exitCode },
      'runtime: WordPress installer reported success but exited non-zero',
    );
  }
  if (result?.ok && typeof result.version === 'string' && !install.timedOut) {
    const ms = Date.now() - started;
    log?.info({ tenantId, siteId, version: result.version, ms }, 'runtime: WordPress installed');
    return { version: result.version };
  }
  if (result && !result.ok && result.phase === 'precheck' && !install.timedOut) {
    log?.info({ tenantId, siteId, reason: result.reason }, 'runtime: WordPress installation refused');
    throw refusalFor(result, siteId, install.lastLines);
  }

  // Changes may have begun: put the site back as it was (the rollback reads the marker install left).
  const why = install.timedOut
    ? `it did not finish within ${Math.round(timeoutMs / 1000)} s`
    : (result?.message ?? `the installer stopped (exit code ${install.exitCode ?? 'unknown'}) without a result`);
  log?.warn(
    { tenantId, siteId, reason: result?.reason, why, lastLines: install.lastLines },
    'runtime: WordPress installation failed; rolling back',
  );
  const rollbackInput = JSON.stringify({ scaffold: request.scaffold, db: request.db });
  let undone = false;
  let rollbackLines: string[] = [];
  try {
    const rollback = await run('rollback', rollbackInput, ROLLBACK_TIMEOUT_MS);
    undone = rollback.result?.ok === true && !rollback.timedOut;
    rollbackLines = rollback.lastLines;
    if (!undone) rollbackLines.push(rollback.result?.message ?? 'the rollback gave no result');
  } catch (err) {
    rollbackLines = [err instanceof Error ? err.message : String(err)];
  }
  if (!undone)
    log?.error({ tenantId, siteId, rollbackLines }, 'runtime: rolling back a failed WordPress installation failed');
  throw new RuntimeError(
    'CONTAINER_FAILED',
    undone
      ? `WordPress could not be installed into site ${siteId} (${why}); the site and its database were put back as they were. Try again; if it keeps failing, see the installer output in details.`
      : `WordPress could not be installed into site ${siteId} (${why}), and undoing it failed too: the site may hold part of WordPress. Empty its document root and drop the database's tables, then try again.`,
    {
      details: {
        reason: install.timedOut ? 'timeout' : (result?.reason ?? 'install-failed'),
        siteId,
        rolledBack: undone,
        lastLines: install.lastLines,
        ...(undone ? {} : { rollbackLines }),
      },
    },
  );
}
