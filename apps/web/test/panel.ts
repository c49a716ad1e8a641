import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** REPO_ROOT is the monorepo root, where `pnpm build` runs and `test-results/` is written. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** CHROMIUM_ARGS are the flags Debian's chromium needs as root in a container, with no traffic off the machine. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** ensureBuilt runs `pnpm build` when the console or the API bundle is missing. */
export function ensureBuilt(): void {
  const web = path.join(REPO_ROOT, 'apps/web/dist/index.html');
  const api = path.join(REPO_ROOT, 'apps/api/dist/main.js');
  if (fs.existsSync(web) && fs.existsSync(api)) return;
  execFileSync('pnpm', ['build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

/** freePort asks the kernel for a free 127.0.0.1 port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Panel {
  url: string;
  process: ChildProcess;
  dataDir: string;
  /** The panel's log so far (stdout and stderr), to print when a test fails. */
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * startPanel runs the built panel (`node apps/api/dist/main.js`) as its own process on a fresh data
 * directory and a free loopback port, and waits until /api/v1/health answers.
 */
export async function startPanel(admin: { email: string; password: string }): Promise<Panel> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-e2e-'));
  const port = await freePort();
  const first = 30_000 + Math.floor(Math.random() * 90) * 100;
  const portRange = `${first}-${first + 99}`;
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'apps/api/dist/main.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      BERTH_DATA_DIR: dataDir,
      BERTH_LISTEN: `127.0.0.1:${port}`,
      BERTH_ADMIN_EMAIL: admin.email,
      BERTH_ADMIN_PASSWORD: admin.password,
      BERTH_LOG_LEVEL: 'warn',
      // Other panels may share this Docker engine: no edge on :80/:443, and a port window of our own.
      BERTH_EDGE: 'off',
      BERTH_PORT_RANGE: portRange,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the panel exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) break;
    } catch {
      // Not listening yet; poll again below.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the panel did not answer /api/v1/health within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return { url, process: child, dataDir, log: () => output, stop };
}

/**
 * removeDataDir deletes a stopped test panel's data dir. The panel bind-mounts `<dataDir>/tenants` on itself
 * (a shared mount, so tenants' disks reach the edge): that mount is released first, or the delete is EBUSY.
 * Test code only; the panel's own cleanup is the runtime's releaseTenantsRoot.
 */
export function removeDataDir(dataDir: string): void {
  const tenants = path.join(dataDir, 'tenants');
  for (let i = 0; i < 4 && fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4] === tenants); i++) {
    execFileSync('umount', [tenants]);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** apiSession signs in over HTTP and returns a caller for cookie-authenticated JSON requests (test setup only). */
export async function apiSession(url: string, email: string, password: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`login as ${email} failed: HTTP ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return async (method: string, route: string, body?: unknown): Promise<{ status: number; data: unknown }> => {
    const answer = await fetch(`${url}/api/v1${route}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    let data: unknown = text;
    try {
      data = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // A non-JSON answer (a file download) stays text.
    }
    return { status: answer.status, data };
  };
}
