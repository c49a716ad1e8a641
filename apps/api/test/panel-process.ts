import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import {
  createDockerDriver,
  DATABASE_ENGINES,
  DATABASES_OWNER,
  EDGE_OWNER,
  isServiceOwner,
  observe,
  removeDatabaseServer,
  removeDbAdmin,
  releaseTenantsRoot,
  removeEdge,
  removeEgress,
  removeSftpServer,
  removeTenant,
  type DockerDriver,
} from '@berth/runtime';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** ensureBuilt builds the panel once if its bundle is missing (integration tests run the real `pnpm start` artifact). */
export function ensureBuilt(): void {
  if (
    fs.existsSync(path.join(ROOT, 'apps/api/dist/main.js')) &&
    fs.existsSync(path.join(ROOT, 'apps/web/dist/index.html'))
  )
    return;
  const out = spawnSync('pnpm', ['build'], { cwd: ROOT, stdio: 'inherit' });
  if (out.status !== 0) throw new Error('pnpm build failed');
}

/** PanelProcessOptions are what a test may choose beyond the environment. */
export interface PanelProcessOptions {
  /** The first admin (BERTH_ADMIN_EMAIL/PASSWORD), whose session `api` uses. */
  admin?: { email: string; password: string };
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  text: string;
}

/**
 * PanelProcess is the built panel running as its own process on loopback, with its own data dir, edge
 * ports and port range: what `bash scripts/setup.sh` starts, minus the background. Tests talk to it over
 * HTTP only (the API, and the console at `url` for the browser tests), and may kill it with SIGKILL and
 * start it again on the same data dir. The one helper every test that runs the built panel uses.
 */
export class PanelProcess {
  readonly dataDir: string;
  readonly admin: { email: string; password: string };
  child: ChildProcess | undefined;
  log = '';
  /** BERTH_SFTP_PORT (on 127.0.0.1), chosen free at start. */
  sftpPort = 0;
  private cookie = '';
  private csrf = '';

  private constructor(
    readonly apiPort: number,
    readonly httpPort: number,
    readonly httpsPort: number,
    private readonly extraEnv: Record<string, string>,
    options: PanelProcessOptions,
  ) {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-panel-'));
    this.admin = options.admin ?? { email: 'admin@example.test', password: 'admin-password-123' };
  }

  /**
   * start runs a new panel on a fresh data dir and signs in as its admin. `extraEnv` overrides the defaults
   * below (e.g. `BERTH_EDGE: 'off'` for a panel that must not start an edge, `BERTH_LOG_LEVEL: 'warn'`).
   */
  static async start(extraEnv: Record<string, string> = {}, options: PanelProcessOptions = {}): Promise<PanelProcess> {
    ensureBuilt();
    const panel = new PanelProcess(await freePort(), await freePort(), await freePort(), extraEnv, options);
    panel.sftpPort = await freePort();
    await panel.spawn();
    return panel;
  }

  /** base is the panel's origin (`http://127.0.0.1:<port>`): the API is under `/api/v1`. */
  get base(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** url is the console's address, the same origin as `base` (the console is served at its root). */
  get url(): string {
    return this.base;
  }

  /** caRoot is Caddy's local CA root: HTTPS clients verify the edge's internal certificates against it. */
  get caRoot(): string {
    return fs.readFileSync(path.join(this.dataDir, 'caddy/storage/pki/authorities/local/root.crt'), 'utf8');
  }

  async spawn(): Promise<void> {
    const rangeStart = 30_000 + Math.floor(Math.random() * 300) * 100;
    this.child = spawn(process.execPath, ['--enable-source-maps', path.join(ROOT, 'apps/api/dist/main.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        BERTH_DATA_DIR: this.dataDir,
        BERTH_LISTEN: `127.0.0.1:${this.apiPort}`,
        BERTH_HTTP_PORT: String(this.httpPort),
        BERTH_HTTPS_PORT: String(this.httpsPort),
        BERTH_ADMIN_EMAIL: this.admin.email,
        BERTH_ADMIN_PASSWORD: this.admin.password,
        BERTH_PORT_RANGE: `${rangeStart}-${rangeStart + 99}`,
        BERTH_LOG_LEVEL: 'info',
        BERTH_RECONCILE_INTERVAL_S: '5',
        BERTH_SFTP_PORT: String(this.sftpPort),
        BERTH_SFTP_BIND: '127.0.0.1',
        ...this.extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.log += chunk.toString();
      if (this.log.length > 2_000_000) this.log = this.log.slice(-1_000_000);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const res = await request(`${this.base}/api/v1/health`);
        await res.body.text();
        if (res.statusCode === 200) break;
      } catch {
        // not listening yet
      }
      if (this.child.exitCode !== null) throw new Error(`panel exited early:\n${this.log.slice(-3000)}`);
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`panel did not start:\n${this.log.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.login();
  }

  /**
   * kill stops the panel by its PID (SIGKILL by default: the crash-safety tests need no goodbye). With
   * `forceAfterMs`, a panel still running that long after `signal` gets SIGKILL.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL', { forceAfterMs }: { forceAfterMs?: number } = {}): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const force = forceAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
    await exited;
    clearTimeout(force);
  }

  async login(): Promise<void> {
    const res = await request(`${this.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.admin),
    });
    const body = (await res.body.json()) as { csrfToken: string };
    const setCookie = res.headers['set-cookie'];
    this.cookie = (Array.isArray(setCookie) ? setCookie[0]! : setCookie!).split(';')[0]!;
    this.csrf = body.csrfToken;
  }

  /** api calls the REST API as the admin session, or with `token` as a bearer token. */
  async api<T = Record<string, unknown>>(
    method: string,
    url: string,
    body?: unknown,
    opts: { token?: string; raw?: Buffer | string; contentType?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = opts.token
      ? { authorization: `Bearer ${opts.token}` }
      : { cookie: this.cookie, 'x-csrf-token': this.csrf };
    let payload: string | Buffer | undefined;
    if (opts.raw !== undefined) {
      payload = opts.raw;
      headers['content-type'] = opts.contentType ?? 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await request(`${this.base}/api/v1${url}`, { method: method as 'GET', headers, body: payload });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (downloads)
    }
    return { status: res.statusCode, body: parsed as T, text };
  }

  /** download GETs an API path as the admin and answers its bytes (file downloads). */
  async download(url: string): Promise<{ status: number; body: Buffer }> {
    const res = await request(`${this.base}/api/v1${url}`, { headers: { cookie: this.cookie } });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
  }

  /** https fetches a page through the edge (Caddy) for `host`, verifying the certificate against Caddy's local CA. */
  https(
    host: string,
    pathname = '/',
    timeoutMs = 10_000,
  ): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: this.httpsPort,
          servername: host,
          path: pathname,
          headers: { host },
          ca: this.caRoot,
          agent: false,
          timeout: timeoutMs,
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  }

  /** waitFor polls `check` until it returns a truthy value (or throws the last failure after `timeoutMs`). */
  async waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await check();
        if (value) return value;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\n${this.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * stop ends the panel (SIGTERM, SIGKILL after 10 s) and removes everything it created in Docker (by its
   * installation label), its egress rules, the shared bind on its tenants directory, and its data dir.
   */
  async stop(): Promise<void> {
    await this.kill('SIGTERM', { forceAfterMs: 10_000 });
    const driver = this.driver();
    const seen = await observe(driver);
    // Tenants with containers or networks, and tenants with only files (suspended: their disk is mounted).
    const tenantsDir = path.join(this.dataDir, 'tenants');
    const onDisk = fs.existsSync(tenantsDir) ? fs.readdirSync(tenantsDir) : [];
    for (const tenantId of new Set([
      ...seen.containers.map((c) => c.tenantId),
      ...seen.networks.map((n) => n.tenantId),
      ...onDisk,
    ])) {
      if (tenantId !== EDGE_OWNER && tenantId !== DATABASES_OWNER && !isServiceOwner(tenantId))
        await removeTenant(driver, { tenantId, deleteSiteFiles: true });
    }
    await removeEdge(driver);
    await removeSftpServer(driver, { deleteHostKeys: true });
    await removeDbAdmin(driver);
    for (const engine of DATABASE_ENGINES) await removeDatabaseServer(driver, engine, { deleteData: true });
    // The panel's egress chains and their jumps (BERTH_EGRESS is on unless its environment turned it off).
    if ((this.extraEnv.BERTH_EGRESS ?? process.env.BERTH_EGRESS) !== 'off') await removeEgress(driver);
    // The shared bind the panel put on its tenants directory (tenants' disks are gone with the tenants).
    await releaseTenantsRoot(driver);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** driver is a runtime context for this panel's installation: tests read Docker's state through it. */
  driver(): DockerDriver {
    return createDockerDriver({ dataDir: this.dataDir });
  }
}
