/**
 * Test/bench helper: runs a real Caddy 2.11 as a host process on high loopback ports. The binary is taken
 * from the `berth/caddy:2.11` image (built by `bash docker/build.sh caddy`) with `docker create` +
 * `docker cp` — test code only; the library never shells out — and cached in /tmp/berth-caddy-bin.
 * Admin listens on a unix socket inside a 0700 temp dir; storage, autosave and logs stay in that dir.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CaddyAdminClient } from '../src/admin-client.js';
import type { AdminConfig, StorageConfig } from '../src/caddy-config.js';

const run = promisify(execFile);

export const CADDY_IMAGE = process.env.BERTH_CADDY_IMAGE ?? 'berth/caddy:2.11';
export const CADDY_BIN_DIR = process.env.BERTH_CADDY_BIN_DIR ?? '/tmp/berth-caddy-bin';

/**
 * obtainCaddyBinary returns the path of a cached caddy binary extracted from CADDY_IMAGE, extracting it on
 * first use. Throws (so integration tests fail, never skip) when the image is missing.
 */
export async function obtainCaddyBinary(): Promise<string> {
  const target = join(CADDY_BIN_DIR, 'caddy');
  if (existsSync(target)) return target;
  await mkdir(CADDY_BIN_DIR, { recursive: true });
  const { stdout } = await run('docker', ['create', CADDY_IMAGE]).catch((err: Error) => {
    throw new Error(`cannot obtain caddy: docker create ${CADDY_IMAGE} failed (build it with: bash docker/build.sh caddy): ${err.message}`);
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
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CaddyProcess {
  readonly dir: string;
  readonly adminSocket: string;
  readonly admin: AdminConfig;
  readonly storage: StorageConfig;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** Caddy's local CA root (exists once Caddy issued its first internal certificate). */
  readonly rootCaPath: string;
  readonly logPath: string;
  readonly client: CaddyAdminClient;
  pid(): number;
  /** Kills Caddy (SIGKILL, by its own pid) and starts it again with only the bootstrap config. */
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
  readLog(): Promise<string>;
}

async function waitForAdmin(client: CaddyAdminClient, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`caddy exited with ${child.exitCode}: ${await readFile(logPath, 'utf8')}`);
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

/** startCaddy runs Caddy with a bootstrap config (admin socket, storage, pki without trust install). */
export async function startCaddy({ httpPort, httpsPort }: { httpPort?: number; httpsPort?: number } = {}): Promise<CaddyProcess> {
  const bin = await obtainCaddyBinary();
  const dir = await mkdtemp(join(tmpdir(), 'berth-caddy-'));
  await chmod(dir, 0o700);
  const adminSocket = join(dir, 'admin.sock');
  const admin: AdminConfig = { listen: `unix/${adminSocket}` };
  const storage: StorageConfig = { module: 'file_system', root: join(dir, 'storage') };
  const logPath = join(dir, 'caddy.log');
  const bootstrapPath = join(dir, 'bootstrap.json');
  await writeFile(
    bootstrapPath,
    JSON.stringify({ admin, storage, apps: { pki: { certificate_authorities: { local: { install_trust: false } } } } }),
  );
  const ports = { http: httpPort ?? (await freePort()), https: httpsPort ?? (await freePort()) };
  const client = new CaddyAdminClient({ address: { socketPath: adminSocket } });
  let child: ChildProcess;

  const spawnCaddy = async (): Promise<void> => {
    await rm(adminSocket, { force: true });
    const log = createWriteStream(logPath, { flags: 'a' });
    child = spawn(bin, ['run', '--config', bootstrapPath], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') },
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
    httpPort: ports.http,
    httpsPort: ports.https,
    rootCaPath: join(storage.root, 'pki', 'authorities', 'local', 'root.crt'),
    logPath,
    client,
    pid: () => child.pid ?? -1,
    restartEmpty: async () => {
      await stopChild(child, 'SIGKILL');
      await spawnCaddy();
    },
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      await client.close();
      if (process.env.BERTH_KEEP_CADDY_DIR === undefined) await rm(dir, { recursive: true, force: true });
    },
    readLog: () => readFile(logPath, 'utf8'),
  };
}
