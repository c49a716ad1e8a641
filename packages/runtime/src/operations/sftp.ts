import { randomBytes } from 'node:crypto';
import { connect, isIP } from 'node:net';
import { chmod, chown, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { resolveImage } from '../catalog.js';
import {
  KEYS_DIR,
  SFTP,
  renderSftpFiles,
  sftpNetworkName,
  type SftpAccount,
  type SftpFiles,
  type SftpThrottle,
} from '../config/sftp.config.js';
import {
  ensureContainer,
  execInContainer,
  listComponentContainers,
  removeContainerById,
  signalContainer,
} from '../docker/container.ops.js';
import { callDocker, engineMessage, isNotFound } from '../docker/docker.driver.js';
import { ensureTenantsRootShared } from '../disk/shared-mount.js';
import { RuntimeError } from '../errors.js';
import { assertPort } from '../inputs.guard.js';
import { hashText, ownershipLabels, type ServiceRole } from '../labels.js';
import { hardenedHostConfig } from './host-config.js';
import { ensureServiceNetwork, removeServiceNetworks, type ServiceNetwork } from './service-network.js';
import type { DockerDriver, ResourceLimits } from '../runtime.types.js';

export type { SftpAccount, SftpThrottle } from '../config/sftp.config.js';

/**
 * SFTP_OWNER is the pseudo-tenant that owns the SFTP server's container and network (`berth.tenant`): never a
 * tenant slug, so no tenant's pass ever lists or removes them.
 */
export const SFTP_OWNER = '_sftp';

/** SFTP_ROLE is the `berth.role` and `berth.component` of the SFTP server's container and network. */
export const SFTP_ROLE = 'sftp' satisfies ServiceRole;

const MIB = 1024 * 1024;

/**
 * SFTP_LIMITS are the container's default limits: an OpenSSH session is 3 processes of a few MiB (monitor, session,
 * internal-sftp) and an unauthenticated connection 2; MaxStartups caps the latter at 60.
 */
export const SFTP_LIMITS: Readonly<ResourceLimits> = { nanoCpus: 1_000_000_000, memoryBytes: 256 * MIB, pids: 512 };

/**
 * SFTP_CAPABILITIES are all sshd keeps: SETUID/SETGID (privilege separation, each session as its account's uid, and
 * reading authorized keys as that uid), SYS_CHROOT (the privilege separation jail and each account's chroot), KILL
 * (ending a locked account's sessions, which run as the tenant's uid) and AUDIT_WRITE (PAM's and sshd's login
 * records). No DAC_OVERRIDE: every file sshd reads is root's. No CHOWN either, on purpose: pam_faillock hands its
 * tally file (root's, 0600) to the account's uid when it can, after which root without DAC_OVERRIDE can no longer
 * update it and every wrong password after the first went uncounted (the throttle test caught it). With no TTYs
 * and no agent forwarding, sshd has nothing else to chown.
 */
export const SFTP_CAPABILITIES: readonly string[] = ['AUDIT_WRITE', 'KILL', 'SETGID', 'SETUID', 'SYS_CHROOT'];

/** SftpServerSpec is the installation's SFTP server: where it listens and who may sign in. */
export interface SftpServerSpec {
  /** The host port (published on `bindAddress`; sshd listens on 2222 inside). */
  port: number;
  /** The host address the port is published on (an IPv4 or IPv6 literal, e.g. `0.0.0.0` or `127.0.0.1`). */
  bindAddress: string;
  accounts: SftpAccount[];
  /** Wrong passwords before an account is refused, and for how long (default DEFAULT_SFTP_THROTTLE). */
  throttle?: SftpThrottle;
  limits?: ResourceLimits;
}

/** SftpServerResult says what ensureSftpServer did. */
export interface SftpServerResult {
  action: 'created' | 'recreated' | 'reloaded' | 'unchanged';
}

/** sftpContainerName is `berth-sftp-<installation>`: one SFTP server per installation serves every tenant. */
export function sftpContainerName(ctx: DockerDriver): string {
  return `berth-sftp-${ctx.instance}`;
}

/**
 * SftpPaths are the SFTP server's host directories: `<dataDir>/sftp` (root's, 0700) with etc/ (the generated files,
 * bound read-only; root's 0755, shadow 0600: sshd reads authorized keys as the account's uid) and hostkeys/ (0700,
 * bound read-write, filled by the image's entrypoint once), and the record of what the running sshd has loaded.
 */
export interface SftpPaths {
  root: string;
  etc: string;
  keys: string;
  hostKeys: string;
  applied: string;
}

/** sftpPaths names the SFTP server's host directories under the data dir. */
export function sftpPaths(dataDir: string): SftpPaths {
  const root = join(dataDir, 'sftp');
  const etc = join(root, 'etc');
  return {
    root,
    etc,
    keys: join(etc, KEYS_DIR),
    hostKeys: join(root, 'hostkeys'),
    applied: join(root, 'applied.json'),
  };
}

async function ensureDir(path: string, mode: number): Promise<void> {
  await mkdir(path, { recursive: true, mode });
  await chown(path, 0, 0);
  await chmod(path, mode);
}

async function ensureSftpDirs(ctx: DockerDriver): Promise<SftpPaths> {
  const p = sftpPaths(ctx.dataDir);
  await ensureDir(p.root, 0o700);
  await ensureDir(p.etc, 0o755);
  await ensureDir(p.keys, 0o755);
  await ensureDir(p.hostKeys, 0o700);
  return p;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
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
 * writeFileAtomic replaces `dir/name` with `text` (root's, `mode`) through a temporary name and a rename, so sshd
 * and PAM read either the old file or the new one; an unchanged file is left alone. Returns whether it changed.
 */
async function writeFileAtomic(dir: string, name: string, text: string, mode: number): Promise<boolean> {
  const path = join(dir, name);
  if ((await readText(path)) === text) {
    await chmod(path, mode);
    return false;
  }
  const tmp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  try {
    await writeFile(tmp, text, { mode, flag: 'wx' });
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return true;
}

/** writeAccountFiles writes passwd, group, shadow, faillock.conf and keys/<login>, deleting keys nobody has now. */
async function writeAccountFiles(p: SftpPaths, files: SftpFiles): Promise<void> {
  await writeFileAtomic(p.etc, 'faillock.conf', files.etc['faillock.conf'], 0o644);
  // Keys first and passwd last, so an account never exists with another account's files half written.
  for (const [login, text] of Object.entries(files.keys)) await writeFileAtomic(p.keys, login, text, 0o644);
  for (const entry of await listDir(p.keys)) {
    if (!Object.hasOwn(files.keys, entry)) await rm(join(p.keys, entry), { force: true });
  }
  await writeFileAtomic(p.etc, 'shadow', files.etc.shadow, 0o600);
  await writeFileAtomic(p.etc, 'group', files.etc.group, 0o644);
  await writeFileAtomic(p.etc, 'passwd', files.etc.passwd, 0o644);
}

/** sftpLabels label the SFTP server's container and network: this installation, SFTP_OWNER, role and component `sftp`. */
function sftpLabels(ctx: DockerDriver): Record<string, string> {
  return ownershipLabels({ instance: ctx.instance, tenantId: SFTP_OWNER, role: SFTP_ROLE, component: SFTP_ROLE });
}

/** sftpNetwork is the server's bridge, `berth-<installation>-sftp` (a published port needs one; ensureServiceNetwork). */
function sftpNetwork(ctx: DockerDriver): ServiceNetwork {
  return { name: sftpNetworkName(ctx.instance), labels: sftpLabels(ctx), what: 'SFTP' };
}

function assertBindAddress(value: string): string {
  if (typeof value !== 'string' || isIP(value) === 0)
    throw new RuntimeError('INVALID_INPUT', `Invalid SFTP bind address ${JSON.stringify(value)}; use an IP address.`, {
      details: { what: 'bind address', value },
    });
  return value;
}

/** probeAddress is where the panel itself reaches a port published on `bindAddress`. */
function probeAddress(bindAddress: string): string {
  if (bindAddress === '0.0.0.0') return '127.0.0.1';
  if (bindAddress === '::') return '::1';
  return bindAddress;
}

/** readBanner connects once and resolves with sshd's identification line (`SSH-2.0-OpenSSH_9.2p1 …`). */
function readBanner(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 2000 });
    let got = '';
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString('latin1');
      const eol = got.indexOf('\n');
      if (eol >= 0) {
        socket.destroy();
        resolve(got.slice(0, eol).trim());
      }
    });
    socket.on('timeout', () => socket.destroy(new Error('timed out')));
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed before the SSH banner')));
  });
}

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
 * waitForSsh polls the published port until sshd sends its banner (the first start generates the host keys
 * first), and fails early with the last log lines when the container stops meanwhile.
 */
async function waitForSsh(ctx: DockerDriver, id: string, host: string, port: number): Promise<void> {
  const container = ctx.docker.getContainer(id);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const info = await callDocker('container inspect', () => container.inspect());
    if (!info.State.Running || info.State.Restarting) {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `The SFTP server stopped before it answered (exit code ${info.State.ExitCode}); see its log lines in details.`,
        { details: { exitCode: info.State.ExitCode, logs: await lastLogLines(container) } },
      );
    }
    try {
      const banner = await readBanner(host, port);
      if (banner.startsWith('SSH-2.0-')) return;
      last = banner;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `The SFTP server did not answer on ${host}:${port} within ${READY_TIMEOUT_MS / 1000} s; run the same operation again, or see its log lines in details.`,
        { details: { port, last, logs: await lastLogLines(container) } },
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_S = 5;
const STAGED_CONFIG = 'sshd_config.next';

interface AppliedState {
  containerId: string;
  configHash: string;
}

async function readApplied(ctx: DockerDriver, p: SftpPaths): Promise<AppliedState | undefined> {
  const text = await readText(p.applied);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<AppliedState>;
    if (typeof v.containerId === 'string' && typeof v.configHash === 'string')
      return { containerId: v.containerId, configHash: v.configHash };
  } catch (err) {
    // Unreadable: reload (the safe side) and write it again.
    ctx.logger?.warn({ err, file: p.applied }, 'runtime: SFTP applied state unreadable; reloading');
  }
  return undefined;
}

/** runningSftpContainer is the id of this installation's running SFTP container, if any. */
async function runningSftpContainer(ctx: DockerDriver): Promise<string | undefined> {
  const list = await listComponentContainers(ctx, SFTP_OWNER, SFTP_ROLE);
  return list.find((c) => c.State === 'running')?.Id;
}

/**
 * installSshdConfig makes the new sshd_config the live file. With a running server it is staged first and checked
 * by that server's own sshd (`sshd -t`), so a config sshd would refuse never replaces a working one (CONFIG_INVALID
 * with sshd's words, e.g. `/etc/berth/sftp/sshd_config.next line 12: Bad configuration option: Foo`).
 */
async function installSshdConfig(ctx: DockerDriver, p: SftpPaths, text: string, running: string | undefined) {
  if ((await readText(join(p.etc, 'sshd_config'))) === text) return;
  if (running === undefined) {
    await writeFileAtomic(p.etc, 'sshd_config', text, 0o644);
    return;
  }
  await writeFileAtomic(p.etc, STAGED_CONFIG, text, 0o644);
  const check = await execInContainer(ctx, running, [
    '/usr/sbin/sshd',
    '-t',
    '-f',
    `${SFTP.configDirPath}/${STAGED_CONFIG}`,
  ]);
  if (check.exitCode !== 0) {
    await rm(join(p.etc, STAGED_CONFIG), { force: true });
    throw new RuntimeError(
      'CONFIG_INVALID',
      'sshd refused the generated SFTP configuration; the running server keeps the previous one. See details.',
      { details: { stderr: check.stderr.trim(), exitCode: check.exitCode } },
    );
  }
  await rename(join(p.etc, STAGED_CONFIG), join(p.etc, 'sshd_config'));
}

/**
 * endDisallowedSessions ends the open sessions of every login that may not sign in now (locked or gone), through
 * the image's berth-sftp-end-sessions; returns the logins whose sessions it ended.
 */
async function endDisallowedSessions(ctx: DockerDriver, id: string, allowed: string[]): Promise<string[]> {
  const res = await execInContainer(ctx, id, [SFTP.endSessionsCommand, ...allowed]);
  if (res.exitCode !== 0) {
    throw new RuntimeError(
      'DOCKER_ERROR',
      'Could not end the SFTP sessions of locked or removed accounts; run the same operation again. See details.',
      { details: { stderr: res.stderr.trim(), exitCode: res.exitCode } },
    );
  }
  return [...new Set(res.stdout.split('\n').flatMap((l) => (l.trim() ? [l.split(' ')[0] ?? ''] : [])))];
}

/**
 * ensureSftpServer converges the installation's SFTP server, `berth-sftp-<installation>` on berth/sftp: OpenSSH's
 * internal-sftp only, each account chrooted in `<dataDir>/tenants/<tenant>` and landing in its `sites/`, acting as
 * its tenant's uid/gid, signing in with its password (SHA-512 crypt hash) or its keys.
 *
 * - Files: `<dataDir>/sftp/etc` (sshd_config, faillock.conf, passwd, group, shadow, keys/<login>; rendered and
 *   validated by renderSftpFiles) bound read-only; host keys in `<dataDir>/sftp/hostkeys`, made once and kept.
 * - Container: its own bridge (ensureServiceNetwork), `bindAddress:port` → 2222, `<dataDir>/tenants` bound with
 *   `rslave` (tenant disks mounted later appear inside), root inside but only SFTP_CAPABILITIES, no-new-privileges,
 *   read-only root filesystem with /run and /tmp on tmpfs, SFTP_LIMITS, restart unless stopped.
 * - Changes: a new port, image or container definition recreates the container (`created`/`recreated`, also when it
 *   was stopped); otherwise changed files are checked with `sshd -t` and loaded with SIGHUP (`reloaded`), and the
 *   open sessions of accounts that are now locked or gone are ended. Sessions of other accounts keep going.
 *
 * Idempotent: the same spec again is `unchanged`. What the running sshd has loaded is recorded in
 * `<dataDir>/sftp/applied.json`, so a pass that died between writing and reloading is finished by the next one.
 */
export async function ensureSftpServer(ctx: DockerDriver, spec: SftpServerSpec): Promise<SftpServerResult> {
  const port = assertPort(spec.port, 'SFTP port');
  const bindAddress = assertBindAddress(spec.bindAddress);
  const files = renderSftpFiles({ accounts: spec.accounts, ...(spec.throttle ? { throttle: spec.throttle } : {}) });
  const configHash = hashText(JSON.stringify(files));
  const p = await ensureSftpDirs(ctx);
  const tenants = await ensureTenantsRootShared(ctx);
  const network = await ensureServiceNetwork(ctx, sftpNetwork(ctx));

  await installSshdConfig(ctx, p, files.etc.sshd_config, await runningSftpContainer(ctx));
  await writeAccountFiles(p, files);

  const key = `${SFTP.port}/tcp`;
  const create: Omit<Docker.ContainerCreateOptions, 'name' | 'Image' | 'Labels'> = {
    ExposedPorts: { [key]: {} },
    StopTimeout: STOP_TIMEOUT_S,
    HostConfig: hardenedHostConfig({
      network,
      limits: spec.limits ?? SFTP_LIMITS,
      capAdd: [...SFTP_CAPABILITIES],
      binds: [
        `${tenants}:${SFTP.tenantsPath}:rslave`,
        `${p.etc}:${SFTP.configDirPath}:ro`,
        `${p.hostKeys}:${SFTP.hostKeyDirPath}`,
      ],
      portBindings: { [key]: [{ HostIp: bindAddress, HostPort: String(port) }] },
      scratch: [{ path: '/run', sizeMiB: 8, mode: 0o755 }],
      tmpMiB: 16,
    }),
  };
  const name = sftpContainerName(ctx);
  const result = await ensureContainer(ctx, {
    tenantId: SFTP_OWNER,
    component: SFTP_ROLE,
    name,
    image: resolveImage(ctx.profile, { role: 'sftp' }),
    labels: sftpLabels(ctx),
    create,
    exclusivePorts: true,
    settleMs: 400,
  });

  let action: SftpServerResult['action'];
  if (result.action === 'created') action = 'created';
  else if (result.action === 'unchanged' || result.action === 'updated' || result.action === 'reloaded')
    action = 'unchanged';
  else action = 'recreated'; // replaced, or a stopped container started again: a fresh sshd either way

  if (action !== 'unchanged') {
    await waitForSsh(ctx, result.id, probeAddress(bindAddress), port);
  } else {
    const applied = await readApplied(ctx, p);
    if (applied?.containerId !== result.id || applied.configHash !== configHash) {
      await signalContainer(ctx, result.id, 'SIGHUP');
      await waitForSsh(ctx, result.id, probeAddress(bindAddress), port);
      const ended = await endDisallowedSessions(ctx, result.id, files.allowed);
      if (ended.length > 0) ctx.logger?.info({ logins: ended }, 'runtime: SFTP sessions of disallowed accounts ended');
      action = 'reloaded';
    }
  }
  await writeFileAtomic(p.root, 'applied.json', JSON.stringify({ containerId: result.id, configHash }), 0o600);
  if (action !== 'unchanged')
    ctx.logger?.info(
      { name, action, port, bindAddress, accounts: files.allowed.length },
      'runtime: SFTP server converged',
    );
  return { action };
}

/**
 * removeSftpServer stops and removes the SFTP server's container and network (one at a time) and deletes the
 * generated files (they hold password hashes). The host keys stay, so clients see the same server when it comes
 * back, unless `deleteHostKeys`. Idempotent.
 */
export async function removeSftpServer(ctx: DockerDriver, opts: { deleteHostKeys?: boolean } = {}): Promise<void> {
  const containers = await listComponentContainers(ctx, SFTP_OWNER, SFTP_ROLE);
  for (const c of containers) await removeContainerById(ctx, c.Id);
  await removeServiceNetworks(ctx, sftpNetwork(ctx));
  const p = sftpPaths(ctx.dataDir);
  await rm(p.etc, { recursive: true, force: true });
  await rm(p.applied, { force: true });
  if (opts.deleteHostKeys) await rm(p.root, { recursive: true, force: true });
  if (containers.length > 0)
    ctx.logger?.info(
      { containers: containers.length, hostKeysDeleted: opts.deleteHostKeys === true },
      'runtime: SFTP server removed',
    );
}

/** sftpServerStatus says whether the SFTP server runs and on which host port it is published. */
export async function sftpServerStatus(ctx: DockerDriver): Promise<{ running: boolean; port?: number }> {
  const list = await listComponentContainers(ctx, SFTP_OWNER, SFTP_ROLE);
  const current = list.find((c) => c.State === 'running') ?? list[0];
  if (!current) return { running: false };
  let info: Docker.ContainerInspectInfo;
  try {
    info = await callDocker('container inspect', () => ctx.docker.getContainer(current.Id).inspect());
  } catch (err) {
    if (err instanceof RuntimeError && isNotFound(err.cause)) return { running: false };
    throw err;
  }
  const binding = info.HostConfig.PortBindings?.[`${SFTP.port}/tcp`]?.[0]?.HostPort;
  const port = binding ? Number(binding) : undefined;
  return { running: info.State.Running && !info.State.Restarting, ...(port ? { port } : {}) };
}
