/**
 * Test/bench helper: runs Berth's Caddy build as a host process on high loopback ports, started from the
 * skeleton (buildSkeleton) like the managed edge. The binary is taken from the `berth/caddy:2.11` image
 * (built by `bash docker/build.sh caddy` from packages/caddy/module) with `docker create` + `docker cp` —
 * test code only; the library never shells out — and cached per image id in /tmp/berth-caddy-bin.
 * Admin listens on a unix socket inside a 0700 temp dir; storage, the host table snapshot, access logs and
 * tenants' static files stay in that dir.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { CaddyAdminClient } from '../src/admin-client.js';
import type { AdminConfig, CaddyConfig, StorageConfig } from '../src/caddy-config.js';
import { buildSkeleton } from '../src/skeleton/build-skeleton.js';
import type { AcmeOptions, UpstreamOptions } from '../src/skeleton/options.js';

const run = promisify(execFile);

export const CADDY_IMAGE = process.env.BERTH_CADDY_IMAGE ?? 'berth/caddy:2.11';
export const CADDY_BIN_DIR = process.env.BERTH_CADDY_BIN_DIR ?? '/tmp/berth-caddy-bin';

/**
 * obtainCaddyBinary returns the path of a cached caddy binary extracted from CADDY_IMAGE, extracting it on
 * first use. Throws (so integration tests fail, never skip) when the image is missing.
 */
export async function obtainCaddyBinary(): Promise<string> {
  const { stdout: imageId } = await run('docker', ['image', 'inspect', '-f', '{{.Id}}', CADDY_IMAGE]).catch(
    (err: Error) => {
      throw new Error(
        `cannot obtain caddy: image ${CADDY_IMAGE} is missing (build it with: bash docker/build.sh caddy): ${err.message}`,
      );
    },
  );
  const target = join(
    CADDY_BIN_DIR,
    imageId
      .trim()
      .replace(/^sha256:/, '')
      .slice(0, 16),
    'caddy',
  );
  if (existsSync(target)) return target;
  await mkdir(dirname(target), { recursive: true });
  const { stdout } = await run('docker', ['create', CADDY_IMAGE]).catch((err: Error) => {
    throw new Error(
      `cannot obtain caddy: docker create ${CADDY_IMAGE} failed (build it with: bash docker/build.sh caddy): ${err.message}`,
    );
  });
  const containerId = stdout.trim();
  const partial = `${target}.${process.pid}.partial`;
  try {
    await run('docker', ['cp', `${containerId}:/usr/bin/caddy`, partial]);
    await chmod(partial, 0o755);
    await rename(partial, target);
  } finally {
    await run('docker', ['rm', containerId]);
  }
  return target;
}

/** freePort asks the kernel for an unused TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface CaddyProcess {
  readonly dir: string;
  readonly adminSocket: string;
  readonly admin: AdminConfig;
  readonly storage: StorageConfig;
  /** Where tenants' files live (the skeleton's static base); tests put site folders under it. */
  readonly tenantsDir: string;
  readonly logsDir: string;
  readonly snapshotPath: string;
  readonly skeleton: CaddyConfig;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** Caddy's local CA root (exists once Caddy issued its first internal certificate). */
  readonly rootCaPath: string;
  readonly logPath: string;
  readonly client: CaddyAdminClient;
  pid(): number;
  /** Kills Caddy (SIGKILL, by its own pid) and starts it again from the skeleton file (and its snapshot). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  readLog(): Promise<string>;
  /** Caddy's `caddy_config_last_reload_success_timestamp_seconds`: unchanged means no config was loaded. */
  lastReload(): Promise<number>;
}

async function waitForAdmin(client: CaddyAdminClient, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`caddy exited with ${child.exitCode}: ${await readFile(logPath, 'utf8')}`);
    const health = await client.health();
    if (health.ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`caddy admin did not come up: ${await readFile(logPath, 'utf8')}`);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timeout);
}

/**
 * startCaddy runs Berth's Caddy from the skeleton, as the managed edge does: every host comes from the host
 * table (admin API) and its snapshot, never from the config.
 */
export async function startCaddy({
  httpPort,
  httpsPort,
  acme,
  upstream,
}: {
  httpPort?: number;
  httpsPort?: number;
  acme?: AcmeOptions;
  upstream?: UpstreamOptions;
} = {}): Promise<CaddyProcess> {
  const bin = await obtainCaddyBinary();
  const dir = await mkdtemp(join(tmpdir(), 'berth-caddy-'));
  await chmod(dir, 0o700);
  const adminSocket = join(dir, 'admin.sock');
  const admin: AdminConfig = { listen: `unix/${adminSocket}`, config: { persist: false } };
  const storage: StorageConfig = { module: 'file_system', root: join(dir, 'storage') };
  const tenantsDir = join(dir, 'tenants');
  const logsDir = join(dir, 'logs');
  const snapshotPath = join(dir, 'table', 'hosts.json');
  await mkdir(tenantsDir, { recursive: true });
  await mkdir(join(dir, 'table'), { recursive: true });
  const logPath = join(dir, 'caddy.log');
  const ports = { http: httpPort ?? (await freePort()), https: httpsPort ?? (await freePort()) };
  const skeleton = buildSkeleton({
    admin,
    storage,
    table: { snapshot: snapshotPath, staticBase: tenantsDir, logsDir },
    listen: { host: '127.0.0.1', httpPort: ports.http, httpsPort: ports.https },
    ...(acme ? { acme } : {}),
    ...(upstream ? { upstream } : {}),
  });
  const configPath = join(dir, 'caddy.json');
  await writeFile(configPath, JSON.stringify(skeleton));
  const client = new CaddyAdminClient({ address: { socketPath: adminSocket } });
  let child: ChildProcess;

  const spawnCaddy = async (): Promise<void> => {
    await rm(adminSocket, { force: true });
    const log = createWriteStream(logPath, { flags: 'a' });
    child = spawn(bin, ['run', '--config', configPath], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, 'config'),
        XDG_DATA_HOME: join(dir, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    await waitForAdmin(client, child, logPath);
  };
  await spawnCaddy();

  return {
    dir,
    adminSocket,
    admin,
    storage,
    tenantsDir,
    logsDir,
    snapshotPath,
    skeleton,
    httpPort: ports.http,
    httpsPort: ports.https,
    rootCaPath: join(storage.root, 'pki', 'authorities', 'local', 'root.crt'),
    logPath,
    client,
    pid: () => child.pid ?? -1,
    restart: async () => {
      await stopChild(child, 'SIGKILL');
      await spawnCaddy();
    },
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      await client.close();
      if (process.env.BERTH_KEEP_CADDY_DIR === undefined) await rm(dir, { recursive: true, force: true });
    },
    readLog: () => readFile(logPath, 'utf8'),
    lastReload: async () => {
      const res = await request('http://localhost/metrics', {
        dispatcher: new Agent({ connect: { socketPath: adminSocket } }),
        reset: true,
      });
      const text = await res.body.text();
      const line = text.split('\n').find((l) => l.startsWith('caddy_config_last_reload_success_timestamp_seconds'));
      if (line === undefined) throw new Error('no caddy_config_last_reload_success_timestamp_seconds in /metrics');
      return Number(line.split(' ')[1]);
    },
  };
}
