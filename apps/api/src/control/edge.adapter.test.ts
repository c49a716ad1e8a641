import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Runtime from '@berth/runtime';
import type { THostRecord } from '@berth/caddy';
import type { DesiredDomain, DesiredSite, DesiredTenant } from '@berth/reconciler';
import { edgeDir, edgePaths, ensureEdge, type DockerDriver } from '@berth/runtime';
import type { Config } from '../config.js';
import type { PrismaDesiredStore } from './desired-store.js';
import { createEdgeAdapter, systemRecords, type EdgeAdapter } from './edge.adapter.js';

// The edge adapter against a fake Caddy: a real HTTP server on a unix socket speaking the admin endpoints
// the adapter uses (`/config/` with its ETag and If-Match, `/config/admin`, and Berth's `/berth/hosts`
// table with `"<boot id>-<generation>"` ETags and If-Match, as packages/caddy/module/README.md describes).
// The managed Caddy's container (ensureEdge) is the only runtime call, and it is faked too.

vi.mock('@berth/runtime', async (importOriginal) => {
  const actual = await importOriginal<typeof Runtime>();
  return { ...actual, ensureEdge: vi.fn(async () => ({ id: 'edge', action: 'unchanged' as const })) };
});

interface AdminRequest {
  method: string;
  path: string;
  ifMatch: string | undefined;
  status: number;
}

/** FakeCaddy is Berth's Caddy as its admin socket shows it: a config, a host table, restarts. */
class FakeCaddy {
  config: unknown = null;
  boot = 1;
  gen = 0;
  hosts = new Map<string, THostRecord>();
  /** Hosts whose record the module refuses, with its message. */
  refuse = new Map<string, string>();
  /** A stock Caddy: no `/berth/hosts` endpoints. */
  plain = false;
  requests: AdminRequest[] = [];
  #server: http.Server | undefined;

  constructor(readonly socketPath: string) {}

  get hostsEtag(): string {
    return `"b${this.boot}-${this.gen}"`;
  }

  get configEtag(): string {
    return `"/config/ ${createHash('sha256').update(JSON.stringify(this.config)).digest('hex')}"`;
  }

  /** writes are the requests that change something (or tried to). */
  writes(): AdminRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  hostNames(): string[] {
    return [...this.hosts.keys()].sort();
  }

  /** restart is Caddy started again: a new boot id, its config (only with --resume) and its table snapshot. */
  restart({ config, snapshot }: { config: boolean; snapshot: boolean }): void {
    this.boot++;
    this.gen = 0;
    if (!config) this.config = null;
    if (!snapshot) this.hosts = new Map();
  }

  async listen(): Promise<void> {
    fs.mkdirSync(path.dirname(this.socketPath), { recursive: true });
    fs.rmSync(this.socketPath, { force: true });
    this.#server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const answer = this.#handle(req.method ?? 'GET', req.url ?? '/', req.headers['if-match'], body);
        this.requests.push({
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          ifMatch: req.headers['if-match'],
          status: answer.status,
        });
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          ...(answer.etag ? { etag: answer.etag } : {}),
        });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.socketPath, resolve));
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(this.socketPath, { force: true });
  }

  #handle(
    method: string,
    url: string,
    ifMatch: string | undefined,
    body: string,
  ): { status: number; body: unknown; etag?: string } {
    if (url === '/config/') {
      if (method === 'GET') return { status: 200, body: this.config, etag: this.configEtag };
      if (ifMatch !== undefined && ifMatch !== this.configEtag)
        return { status: 412, body: { error: 'If-Match header did not match current config hash' } };
      this.config = JSON.parse(body);
      return { status: 200, body: null };
    }
    if (url === '/config/admin')
      return { status: 200, body: (this.config as { admin?: unknown } | null)?.admin ?? null };
    if (!url.startsWith('/berth/hosts') || this.plain) return { status: 404, body: { error: 'not found' } };
    const etag = this.hostsEtag;
    const stale = method !== 'GET' && ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag;
    if (stale) return { status: 412, body: { error: 'If-Match: the table changed' }, etag };
    if (url === '/berth/hosts') {
      if (method === 'GET')
        return { status: 200, body: { etag, count: this.hosts.size, hosts: [...this.hosts.values()] }, etag };
      const { hosts } = JSON.parse(body) as { hosts: THostRecord[] };
      const next = new Map<string, THostRecord>();
      const rejected: { index: number; host: string; error: string }[] = [];
      hosts.forEach((record, index) => {
        const error = this.refuse.get(record.host);
        if (error === undefined) return void next.set(record.host, record);
        rejected.push({ index, host: record.host, error });
        const current = this.hosts.get(record.host);
        if (current) next.set(record.host, current);
      });
      this.hosts = next;
      this.gen++;
      return { status: 200, body: { etag: this.hostsEtag, count: next.size, rejected }, etag: this.hostsEtag };
    }
    const host = decodeURIComponent(url.slice('/berth/hosts/'.length));
    if (method === 'GET')
      return this.hosts.has(host)
        ? { status: 200, body: this.hosts.get(host), etag }
        : { status: 404, body: { error: `host "${host}" is not in the table` }, etag };
    if (method === 'PUT') {
      const error = this.refuse.get(host);
      if (error !== undefined) return { status: 400, body: { error }, etag };
      this.hosts.set(host, JSON.parse(body) as THostRecord);
    } else {
      if (!this.hosts.has(host)) return { status: 404, body: { error: 'not found' }, etag };
      this.hosts.delete(host);
    }
    this.gen++;
    return { status: 200, body: { etag: this.hostsEtag }, etag: this.hostsEtag };
  }
}

const domain = (id: string, hostname: string, over: Partial<DesiredDomain> = {}): DesiredDomain => ({
  id,
  hostname,
  kind: 'primary',
  redirectTo: null,
  redirectCode: null,
  tls: 'off',
  wwwRedirect: 'none',
  verified: true,
  ...over,
});
const site = (id: string, domains: DesiredDomain[]): DesiredSite => ({
  id,
  name: id,
  kind: 'php',
  version: '8.2',
  status: 'live',
  settings: {},
  domains,
});
const tenant = (id: string, sites: DesiredSite[]): DesiredTenant => ({
  id,
  slug: id,
  uid: 200_100,
  status: 'active',
  webserver: 'nginx',
  varnishEnabled: false,
  ports: { web: 20_000, cache: 20_001 },
  plan: {
    cpuMillicores: 500,
    memoryMb: 256,
    pidsLimit: 128,
    phpMaxMemoryMb: 128,
    phpMaxUploadMb: 8,
    phpMaxExecSeconds: 30,
  },
  sites,
});
const acme = () =>
  tenant('acme', [site('acme-www', [domain('a1', 'a1.example.test'), domain('a2', 'a2.example.test')])]);
const globex = () => tenant('globex', [site('globex-www', [domain('g1', 'g1.example.test')])]);

/** waitUntil polls (in real time) until `check` holds: the adapter's watch runs in the background. */
async function waitUntil(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let dataDir: string;
let caddy: FakeCaddy;
let db: Map<string, DesiredTenant>;
let onChanged: ReturnType<typeof vi.fn<() => void>>;
const adapters: EdgeAdapter[] = [];

const store = { loadAll: async () => [...db.values()] } as unknown as PrismaDesiredStore;

function configOf(over: { mode?: 'external' | 'managed' | 'off'; httpsPort?: number } = {}): Config {
  return {
    dataDir,
    edge: {
      mode: over.mode ?? 'external',
      adminSocket: caddy.socketPath,
      storageDir: path.join(dataDir, 'caddy-storage'),
    },
    edgePorts: { http: 8080, https: over.httpsPort ?? 8443 },
    acme: { directory: 'letsencrypt', email: undefined, trustedRootsPemFiles: [] },
    listen: { host: '127.0.0.1', port: 8080 },
    panel: { host: null, publicUrl: null },
    dbAdmin: { host: null, publicUrl: null, port: 8081 },
  } as unknown as Config;
}

async function startEdge(over: Parameters<typeof configOf>[0] = {}): Promise<EdgeAdapter> {
  const edge = createEdgeAdapter({
    config: configOf(over),
    driver: {} as DockerDriver,
    store,
    logger: pino({ level: 'silent' }),
    onChanged,
  })!;
  adapters.push(edge);
  await edge.start();
  return edge;
}

/** stopEdge stops an adapter before the test ends (stop() is not idempotent: a second one throws). */
async function stopEdge(edge: EdgeAdapter): Promise<void> {
  adapters.splice(adapters.indexOf(edge), 1);
  await edge.stop();
}

/** everyDesiredHost is what the table must hold: every host of every tenant in the database. */
const everyDesiredHost = () =>
  [...db.values()].flatMap((t) => t.sites.flatMap((s) => s.domains.map((d) => d.hostname))).sort();

beforeEach(async () => {
  // The watch runs only when a test moves the clock; everything else (sockets, retries) runs in real time.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-edge-unit-'));
  caddy = new FakeCaddy(path.join(dataDir, 'admin.sock'));
  await caddy.listen();
  db = new Map([
    ['acme', acme()],
    ['globex', globex()],
  ]);
  onChanged = vi.fn<() => void>();
  vi.mocked(ensureEdge).mockClear();
});

afterEach(async () => {
  for (const edge of adapters.splice(0)) await edge.stop();
  await caddy.close();
  vi.useRealTimers();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('edge adapter: start', () => {
  it('pushes the skeleton and fills the host table with every tenant of the database', async () => {
    await startEdge();
    expect(caddy.config).toMatchObject({ apps: { berth: expect.any(Object) } });
    expect(caddy.hostNames()).toEqual(everyDesiredHost());
    expect(caddy.hosts.get('a1.example.test')).toMatchObject({
      tenant: 'acme',
      site: 'acme-www',
      domain: 'a1',
      action: 'proxy',
      upstream: '127.0.0.1:20000',
    });
    expect(caddy.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /config/', 'PUT /berth/hosts']);
    expect(onChanged).toHaveBeenCalled();
  });

  it.each([
    { change: 'the same settings (a panel restart)', over: {}, reloads: 0 },
    { change: 'another HTTPS port', over: { httpsPort: 9443 }, reloads: 1 },
  ])(
    'reloads Caddy’s config only when the settings change: $change → $reloads reload(s)',
    async ({ over, reloads }) => {
      await stopEdge(await startEdge());
      caddy.requests = [];
      await startEdge(over);
      expect(caddy.writes().filter((r) => r.path === '/config/')).toHaveLength(reloads);
      expect(caddy.hostNames()).toEqual(everyDesiredHost());
    },
  );
});

describe('edge adapter: one tenant’s changes', () => {
  it('sends only the hosts of that tenant that changed, each guarded by the table’s ETag', async () => {
    const edge = await startEdge();
    caddy.requests = [];
    const changed = tenant('acme', [
      site('acme-www', [domain('a1', 'a1.example.test', { tls: 'internal' }), domain('a3', 'a3.example.test')]),
    ]);
    db.set('acme', changed);
    onChanged.mockClear();

    expect(await edge.sync('acme', changed)).toEqual({ problems: [] });
    expect(
      caddy
        .writes()
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual([
      'DELETE /berth/hosts/a2.example.test',
      'PUT /berth/hosts/a1.example.test',
      'PUT /berth/hosts/a3.example.test',
    ]);
    expect(caddy.writes().every((r) => r.status === 200 && r.ifMatch !== undefined)).toBe(true);
    expect(caddy.hostNames()).toEqual(everyDesiredHost());
    expect(caddy.hosts.get('a1.example.test')?.tls).toEqual({ mode: 'internal' });
    expect(onChanged).toHaveBeenCalledTimes(1);
  });

  it('sends nothing when nothing of the tenant changed', async () => {
    const edge = await startEdge();
    caddy.requests = [];
    onChanged.mockClear();
    expect(await edge.sync('acme', acme())).toEqual({ problems: [] });
    expect(caddy.writes()).toEqual([]);
    expect(onChanged).not.toHaveBeenCalled();
  });

  it('removes a terminated tenant’s hosts and only those', async () => {
    const edge = await startEdge();
    caddy.requests = [];
    db.delete('globex');
    expect(await edge.sync('globex', null)).toEqual({ problems: [] });
    expect(caddy.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /berth/hosts/g1.example.test']);
    expect(caddy.hostNames()).toEqual(['a1.example.test', 'a2.example.test']);
  });

  it('reports a host the edge refuses as a problem of its own site only; the tenant’s other hosts are served', async () => {
    const edge = await startEdge();
    caddy.refuse.set('shop.example.test', 'tls.certificate_pem: x509: malformed certificate');
    const withShop = tenant('acme', [
      site('acme-www', [
        domain('a1', 'a1.example.test'),
        domain('a2', 'a2.example.test'),
        domain('a4', 'a4.example.test'),
      ]),
      site('acme-shop', [domain('s1', 'shop.example.test')]),
    ]);
    db.set('acme', withShop);

    const { problems } = await edge.sync('acme', withShop);
    expect(problems).toEqual([
      {
        siteId: 'acme-shop',
        host: 'shop.example.test',
        reason: expect.stringMatching(/certificate_pem: x509: malformed/),
      },
    ]);
    expect(caddy.hostNames()).toEqual(['a1.example.test', 'a2.example.test', 'a4.example.test', 'g1.example.test']);
    // Another tenant's pass is not told about it.
    expect(await edge.sync('globex', globex())).toEqual({ problems: [] });
    // Once the edge accepts it, the next pass of the tenant puts it in.
    caddy.refuse.clear();
    expect(await edge.sync('acme', withShop)).toEqual({ problems: [] });
    expect(caddy.hosts.has('shop.example.test')).toBe(true);
  });
});

describe('edge adapter: the table is out of sync', () => {
  const causes: { cause: string; disturb: () => void }[] = [
    { cause: 'Caddy restarted from its snapshot', disturb: () => caddy.restart({ config: true, snapshot: true }) },
    { cause: 'Caddy restarted without its snapshot', disturb: () => caddy.restart({ config: true, snapshot: false }) },
    {
      cause: 'someone else wrote to the table',
      disturb: () => {
        caddy.hosts.set('intruder.example.test', {
          ...caddy.hosts.get('g1.example.test')!,
          host: 'intruder.example.test',
        });
        caddy.gen++;
      },
    },
  ];

  it.each(causes)('re-syncs every host of every tenant from the database when $cause', async ({ disturb }) => {
    const edge = await startEdge();
    disturb();
    // Another tenant changed in the database while the table was not ours: the re-sync brings it too.
    db.set(
      'globex',
      tenant('globex', [site('globex-www', [domain('g1', 'g1.example.test'), domain('g2', 'g2.example.test')])]),
    );
    const changed = tenant('acme', [
      site('acme-www', [
        domain('a1', 'a1.example.test'),
        domain('a2', 'a2.example.test'),
        domain('a3', 'a3.example.test'),
      ]),
    ]);
    db.set('acme', changed);
    caddy.requests = [];

    expect(await edge.sync('acme', changed)).toEqual({ problems: [] });
    expect(caddy.writes().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'PUT /berth/hosts/a3.example.test 412',
      'PUT /berth/hosts 200',
    ]);
    expect(caddy.hostNames()).toEqual(everyDesiredHost());
    expect(await edge.health()).toEqual({ ok: true });
  });

  it('tells the tenant whose pass ran into it only about its own refused hosts', async () => {
    const edge = await startEdge();
    caddy.restart({ config: true, snapshot: true });
    caddy.refuse.set('a3.example.test', 'upstream: "x" is not IP:port');
    caddy.refuse.set('g2.example.test', 'static.root: outside static_base');
    db.set(
      'globex',
      tenant('globex', [site('globex-www', [domain('g1', 'g1.example.test'), domain('g2', 'g2.example.test')])]),
    );
    const changed = tenant('acme', [
      site('acme-www', [domain('a1', 'a1.example.test'), domain('a3', 'a3.example.test')]),
    ]);
    db.set('acme', changed);

    expect(await edge.sync('acme', changed)).toEqual({
      problems: [{ siteId: 'acme-www', host: 'a3.example.test', reason: expect.stringMatching(/is not IP:port/) }],
    });
    expect(caddy.hostNames()).toEqual(['a1.example.test', 'g1.example.test']);
  });
});

describe('edge adapter: the watch', () => {
  const tick = () => vi.advanceTimersByTime(3_000);

  it('puts the skeleton and every host back by itself when Caddy restarted empty', async () => {
    await startEdge();
    caddy.restart({ config: false, snapshot: false });
    caddy.requests = [];
    tick();
    await waitUntil('the table is re-synced', () => caddy.hostNames().join() === everyDesiredHost().join());
    expect(caddy.config).toMatchObject({ apps: { berth: expect.any(Object) } });
    expect(caddy.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /config/', 'PUT /berth/hosts']);
  });

  it('re-fills the table without reloading Caddy when only the table was lost', async () => {
    const edge = await startEdge();
    caddy.restart({ config: true, snapshot: false });
    caddy.requests = [];
    tick();
    await waitUntil('the table is re-synced', () => caddy.hostNames().join() === everyDesiredHost().join());
    expect(caddy.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /berth/hosts']);
    expect(await edge.health()).toEqual({ ok: true });
  });

  it('puts the skeleton back when someone replaced Caddy’s config, and keeps every host', async () => {
    await startEdge();
    caddy.config = { apps: { http: { servers: {} } } };
    caddy.requests = [];
    tick();
    await waitUntil(
      'the skeleton is back',
      () => (caddy.config as { apps?: { berth?: unknown } }).apps?.berth !== undefined,
    );
    await waitUntil('the watch is done', () => caddy.writes().some((r) => r.path === '/berth/hosts'));
    expect(caddy.hostNames()).toEqual(everyDesiredHost());
  });

  it('leaves a Caddy that is as the panel left it alone', async () => {
    await startEdge();
    caddy.requests = [];
    tick();
    await waitUntil('the watch looked', () => caddy.requests.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(caddy.writes()).toEqual([]);
    expect(caddy.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /config/',
      'GET /berth/hosts/etag-probe.berth.invalid',
    ]);
  });
});

describe('edge adapter: health', () => {
  it.each([
    { state: 'everything is in place', disturb: async () => undefined, expected: { ok: true } },
    {
      state: 'Caddy’s admin API does not answer',
      disturb: () => caddy.close(),
      expected: {
        ok: false,
        message: expect.stringMatching(/^Caddy's admin API does not answer: .*(ENOENT|ECONNREFUSED)/),
      },
    },
    {
      state: 'Caddy restarted and the table is not re-synced yet',
      disturb: async () => caddy.restart({ config: true, snapshot: true }),
      expected: { ok: false, message: 'The edge host table is being re-synced.' },
    },
    {
      state: 'the edge is a stock Caddy without Berth’s host table',
      disturb: async () => void (caddy.plain = true),
      expected: {
        ok: false,
        message: expect.stringMatching(
          /^The edge is not a Berth build of Caddy or its host table does not answer: .*404/,
        ),
      },
    },
  ])('says why the edge is not ok: $state', async ({ disturb, expected }) => {
    const edge = await startEdge();
    await disturb();
    expect(await edge.health()).toEqual(expected);
  });
});

describe('edge adapter: managed Caddy', () => {
  it('runs the managed Caddy with the skeleton, and starts it again when it stops answering', async () => {
    // A managed Caddy's admin socket is in the panel's data dir.
    await caddy.close();
    caddy = new FakeCaddy(edgePaths(edgeDir(dataDir)).adminSocket);
    await caddy.listen();
    const edge = await startEdge({ mode: 'managed' });
    expect(ensureEdge).toHaveBeenCalledTimes(1);
    const spec = vi.mocked(ensureEdge).mock.calls[0]![1];
    expect(spec).toMatchObject({ caddyDir: edgeDir(dataDir), httpPort: 8080, httpsPort: 8443 });
    expect(JSON.parse(spec.skeleton)).toEqual(caddy.config);
    expect(caddy.hostNames()).toEqual(everyDesiredHost());

    await caddy.close();
    vi.advanceTimersByTime(3_000);
    await waitUntil('the container is ensured again', () => vi.mocked(ensureEdge).mock.calls.length === 2);

    // It came back empty (a new container): the next check puts everything back.
    caddy.restart({ config: false, snapshot: false });
    await caddy.listen();
    vi.advanceTimersByTime(3_000);
    await waitUntil('the table is re-synced', () => caddy.hostNames().join() === everyDesiredHost().join());

    // Stopped (the panel shuts down): the container is left alone from then on.
    await stopEdge(edge);
    await caddy.close();
    vi.advanceTimersByTime(3_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(ensureEdge).toHaveBeenCalledTimes(2);
  });

  it('has no edge at all with BERTH_EDGE=off', () => {
    expect(
      createEdgeAdapter({
        config: configOf({ mode: 'off' }),
        driver: {} as DockerDriver,
        store,
        logger: pino({ level: 'silent' }),
        onChanged,
      }),
    ).toBeNull();
  });
});

describe("edge adapter: the panel's own hosts", () => {
  const base = { listen: { host: '127.0.0.1', port: 8080 }, panel: { host: null, publicUrl: null } };
  it.each([
    ['none configured', { ...base, dbAdmin: { host: null, publicUrl: null, port: 8081 } }, []],
    [
      'panel and database admin, ACME for public names',
      {
        listen: { host: '0.0.0.0', port: 8080 },
        panel: { host: 'panel.example.com', publicUrl: 'https://panel.example.com' },
        dbAdmin: { host: 'db.example.com', publicUrl: 'https://db.example.com', port: 8081 },
      },
      [
        { host: 'panel.example.com', site: 'panel', upstream: '127.0.0.1:8080', tls: { mode: 'auto' } },
        { host: 'db.example.com', site: 'dbadmin', upstream: '127.0.0.1:8081', tls: { mode: 'auto' } },
      ],
    ],
    [
      'internal CA for a private TLD, panel on another address',
      {
        listen: { host: '10.0.0.5', port: 9000 },
        panel: { host: 'panel.berth.test', publicUrl: 'https://panel.berth.test' },
        dbAdmin: { host: null, publicUrl: null, port: 9001 },
      },
      [{ host: 'panel.berth.test', site: 'panel', upstream: '10.0.0.5:9000', tls: { mode: 'internal' } }],
    ],
  ] as const)('%s', (_name, config, expected) => {
    const records = systemRecords(config as unknown as Pick<Config, 'panel' | 'dbAdmin' | 'listen'>);
    expect(records).toEqual(expected.map((e) => ({ ...e, tenant: '_berth', domain: e.site, action: 'proxy' })));
  });
});
