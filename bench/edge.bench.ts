/**
 * Edge benchmark (Berth's Caddy build, host table): every figure of the edge v2 issue, each row against a
 * baseline measured in the same run where one applies.
 *   1. domain add → HTTPS 200 (internal CA, first handshake) with 1,000 and 10,000 hosts present
 *   2. config reloads during a 100-domain burst (Caddy's reload metric)
 *   3. proxied request cost: host-table route (with and without the per-host access log) vs a hand-written
 *      minimal `reverse_proxy` route, same binary, same upstream (an nginx answering a fixed body)
 *   4. Caddy RSS with 1,000 and 10,000 hosts
 *   5. Caddy killed and restarted with nobody re-syncing → all 10,000 hosts answering
 *   6. PHP hello page through the edge (HTTPS) vs straight to the tenant's webserver (a real nginx + PHP-FPM)
 * Everything listens on 127.0.0.1; every load is bounded by a request count and a time cap. Cleans up.
 * Run: pnpm tsx bench/edge.bench.ts   (needs the berth/* images and wrk)
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CaddyConfig } from '../packages/caddy/src/caddy-config.js';
import type { DesiredTenant } from '../packages/caddy/src/desired.js';
import { buildHostRecords } from '../packages/caddy/src/hosts/build-host-records.js';
import { HostTableSync } from '../packages/caddy/src/hosts/host-table-sync.js';
import { freePort, startCaddy, type CaddyProcess } from '../packages/caddy/test/caddy-process.js';
import { httpsGet, tlsHandshake } from '../packages/caddy/test/http-helpers.js';
import { wrk as runWrk } from './wrk.js';
import {
  createDockerDriver,
  ensureTenantRuntime,
  releaseTenantsRoot,
  removeTenant,
  sitesDir,
  type TenantRuntimeSpec,
} from '../packages/runtime/src/index.js';
import { percentile } from './stats.js';

const run = promisify(execFile);
const ADDS = 20;
const WRK_REQUESTS = 40_000;
const WRK_CAP_S = 10;

const pct = percentile;

/** tenantsOf spreads `hosts` hosts over tenants of 100 domains each, all proxied to `upstream`. */
function tenantsOf(caddy: CaddyProcess, hosts: number, upstream: string, { log = false } = {}): DesiredTenant[] {
  return Array.from({ length: Math.ceil(hosts / 100) }, (_, t) => ({
    id: `bt${t}`,
    status: 'active' as const,
    upstream,
    sites: [
      {
        id: `bs${t}`,
        documentRoot: join(caddy.tenantsDir, `bt${t}`, 'sites', `bs${t}`, 'public'),
        domains: Array.from({ length: Math.min(100, hosts - t * 100) }, (_, d) => ({
          id: `bd${t}-${d}`,
          hostname: `h${t}-${d}.bench.test`,
          kind: 'primary' as const,
          wwwRedirect: 'none' as const,
          tls: { mode: 'internal' as const },
          accessLog: log,
        })),
      },
    ],
  }));
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN) / 1024;
}

/** wrk is the shared bounded wrk (bench/wrk.ts) with this bench's request count and time cap. */
function wrk(opts: { url: string; host: string; connections?: number }): Promise<number> {
  return runWrk({ ...opts, requests: WRK_REQUESTS, capSeconds: WRK_CAP_S });
}

/** startNginx runs berth/nginx on the host network answering a fixed body on 127.0.0.1:<port> (the common upstream). */
async function startNginx(dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const conf = join(dir, 'nginx');
  await mkdir(conf, { recursive: true });
  await writeFile(
    join(conf, 'default.conf'),
    `server { listen 127.0.0.1:${port}; access_log off; location / { return 200 "hello from the upstream\\n"; } }\n`,
  );
  const name = `berth-bench-upstream-${randomBytes(3).toString('hex')}`;
  await run('docker', [
    'run',
    '-d',
    '--rm',
    '--name',
    name,
    '--network',
    'host',
    '-v',
    `${conf}:/etc/nginx/conf.d:ro`,
    'berth/nginx:1',
  ]);
  for (let i = 0; i < 100; i++) {
    const ok = await run('curl', ['-fsS', `http://127.0.0.1:${port}/`]).then(
      () => true,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, stop: async () => void (await run('docker', ['rm', '-f', name]).catch(() => undefined)) };
}

async function main(): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  const work = await mkdtemp(join(tmpdir(), 'berth-edge-bench-'));
  const nginx = await startNginx(work);
  const upstream = `127.0.0.1:${nginx.port}`;
  try {
    // 1 + 2 + 4: domain adds at 1,000 and 10,000 hosts, reloads during a 100-domain burst, RSS.
    for (const size of [1_000, 10_000]) {
      const caddy = await startCaddy();
      try {
        const sync = new HostTableSync({ client: caddy.client });
        const tenants = tenantsOf(caddy, size, upstream);
        const t0 = performance.now();
        await sync.replaceAll(buildHostRecords(tenants, { staticBase: caddy.tenantsDir }).records);
        const replaceMs = performance.now() - t0;
        // Trust the local CA: the first handshake creates it.
        for (
          let i = 0;
          i < 100 && !(await tlsHandshake({ port: caddy.httpsPort, servername: 'h0-0.bench.test' })).ok;
          i++
        )
          await new Promise((r) => setTimeout(r, 100));
        const ca = await readFile(caddy.rootCaPath, 'utf8');
        const adder: DesiredTenant = {
          id: 'adder',
          status: 'active',
          upstream,
          sites: [{ id: 'as', documentRoot: join(caddy.tenantsDir, 'adder', 'sites', 'as', 'public'), domains: [] }],
        };
        const adds: number[] = [];
        for (let i = 0; i < ADDS; i++) {
          const hostname = `new${i}.bench.test`;
          adder.sites[0]!.domains.push({
            id: `n${i}`,
            hostname,
            kind: 'primary',
            wwwRedirect: 'none',
            tls: { mode: 'internal' },
          });
          const start = performance.now();
          await sync.applyTenant('adder', buildHostRecords([adder], { staticBase: caddy.tenantsDir }).records);
          const res = await httpsGet({ port: caddy.httpsPort, host: hostname, ca });
          if (res.status !== 200) throw new Error(`${hostname} answered ${res.status}`);
          adds.push(performance.now() - start);
        }
        rows.push({
          measure: `domain add → HTTPS 200, first handshake (${size.toLocaleString()} hosts present)`,
          value: `p50 ${pct(adds, 50).toFixed(0)} ms, p95 ${pct(adds, 95).toFixed(0)} ms`,
          goal: 'p95 ≤ 150 ms',
          note: `table replace of ${size} hosts: ${replaceMs.toFixed(0)} ms`,
        });

        const reloadBefore = await caddy.lastReload();
        const burst = performance.now();
        for (let i = 0; i < 100; i++) {
          adder.sites[0]!.domains.push({
            id: `b${i}`,
            hostname: `burst${i}.bench.test`,
            kind: 'primary',
            wwwRedirect: 'none',
            tls: { mode: 'internal' },
          });
          await sync.applyTenant('adder', buildHostRecords([adder], { staticBase: caddy.tenantsDir }).records);
        }
        const burstMs = performance.now() - burst;
        rows.push({
          measure: `config reloads during a 100-domain burst (${size.toLocaleString()} hosts)`,
          value: (await caddy.lastReload()) === reloadBefore ? 0 : '≥ 1',
          goal: '0',
          note: `burst took ${burstMs.toFixed(0)} ms`,
        });

        for (let i = 0; i < 200; i++)
          await httpsGet({ port: caddy.httpsPort, host: `h${i % 10}-${i % 100}.bench.test`, ca });
        rows.push({
          measure: `Caddy RSS with ${size.toLocaleString()} hosts in the table`,
          value: `${(await rssMb(caddy.pid())).toFixed(0)} MB`,
          goal: size === 10_000 ? '≤ 150 MB' : '',
          note: '',
        });

        if (size === 10_000) {
          // 5: kill Caddy, start it again from the skeleton and its snapshot; nobody re-syncs.
          await new Promise((r) => setTimeout(r, 1_000));
          const killed = performance.now();
          await caddy.restart();
          const sample = Array.from(
            { length: 100 },
            (_, i) => `h${(i * 37) % 100}-${(i * 13) % 100}.bench.test`,
          ).concat('h99-99.bench.test', 'h0-0.bench.test');
          for (const host of sample) {
            for (;;) {
              const res = await httpsGet({ port: caddy.httpsPort, host, ca }).catch(() => undefined);
              if (res?.status === 200) break;
              await new Promise((r) => setTimeout(r, 10));
            }
          }
          const hosts = (await caddy.client.listHosts()).hosts.length;
          rows.push({
            measure: 'Caddy killed and restarted (panel down) → hosts answering',
            value: `${((performance.now() - killed) / 1000).toFixed(2)} s`,
            goal: '≤ 2 s',
            note: `${hosts} hosts in the table from the snapshot; 102 sampled over HTTPS`,
          });
        }
      } finally {
        await caddy.stop();
      }
    }

    // 3: proxied request cost, same binary, same upstream, one run, plain HTTP so TLS does not dominate.
    const caddy = await startCaddy();
    try {
      const minimalPort = await freePort();
      const live = await caddy.client.getConfig();
      const config = live.config as CaddyConfig;
      // The same reverse_proxy handler as the skeleton's (headers, retries, passive health), with a fixed
      // upstream and no host lookup: the difference is what the table costs.
      const proxy = config.apps.http.servers['berth-http']!.routes.at(-1)!.handle[0] as unknown as Record<
        string,
        unknown
      >;
      const { dynamic_upstreams: _dynamic, ...fixed } = proxy;
      (config.apps.http.servers as Record<string, unknown>)['bench-minimal'] = {
        listen: [`127.0.0.1:${minimalPort}`],
        routes: [{ handle: [{ ...fixed, upstreams: [{ dial: upstream }] }] }],
        automatic_https: { disable: true },
      };
      await caddy.client.load({ config, etag: live.etag });
      const sync = new HostTableSync({ client: caddy.client });
      const tenant = (log: boolean): DesiredTenant => ({
        id: log ? 'logged' : 'plain',
        status: 'active',
        upstream,
        sites: [
          {
            id: 's',
            documentRoot: join(caddy.tenantsDir, 'x', 'sites', 's', 'public'),
            staticPrefixes: [],
            domains: [
              {
                id: log ? 'l' : 'p',
                hostname: log ? 'logged.bench.test' : 'plain.bench.test',
                kind: 'primary',
                wwwRedirect: 'none',
                tls: { mode: 'off' },
                accessLog: log,
              },
            ],
          },
        ],
      });
      await sync.replaceAll(buildHostRecords([tenant(false), tenant(true)], { staticBase: caddy.tenantsDir }).records);
      const measure = async () => ({
        minimal: await wrk({ url: `http://127.0.0.1:${minimalPort}/`, host: 'anything.bench.test' }),
        table: await wrk({ url: `http://127.0.0.1:${caddy.httpPort}/`, host: 'plain.bench.test' }),
        logged: await wrk({ url: `http://127.0.0.1:${caddy.httpPort}/`, host: 'logged.bench.test' }),
      });
      await measure(); // warm-up
      // Three alternating rounds, the median of each: one noisy round does not decide a ratio.
      const rounds = [await measure(), await measure(), await measure()];
      const med = (key: 'minimal' | 'table' | 'logged') =>
        pct(
          rounds.map((x) => x[key]),
          50,
        );
      const r = { minimal: med('minimal'), table: med('table'), logged: med('logged') };
      rows.push({
        measure: 'req/s hand-written minimal reverse_proxy route (baseline)',
        value: r.minimal.toFixed(0),
        goal: '',
        note: '1.00×',
      });
      rows.push({
        measure: 'req/s host-table route, no access log',
        value: r.table.toFixed(0),
        goal: '≥ 0.95×',
        note: `${(r.table / r.minimal).toFixed(3)}×`,
      });
      rows.push({
        measure: 'req/s host-table route with its per-host access log',
        value: r.logged.toFixed(0),
        goal: 'log cost < 4.5 %',
        note: `${(r.logged / r.minimal).toFixed(3)}× (log costs ${((1 - r.logged / r.table) * 100).toFixed(1)} %)`,
      });
    } finally {
      await caddy.stop();
    }

    // 6: a real PHP hello page through the edge (HTTPS) vs straight to the tenant's nginx.
    rows.push(...(await phpThroughEdge(work)));
  } finally {
    await nginx.stop();
    await rm(work, { recursive: true, force: true });
    // Printed even when a later part failed, so the figures measured so far are not lost.
    console.table(rows);
  }
}

async function phpThroughEdge(work: string): Promise<Array<Record<string, string | number>>> {
  const dataDir = join(work, 'data');
  const ctx = createDockerDriver({ dataDir, profile: 'local' });
  const tenantId = `bench-${randomBytes(3).toString('hex')}`;
  const webPort = await freePort();
  const limits = { nanoCpus: 1_000_000_000, memoryBytes: 256 * 1024 * 1024, pids: 256 };
  const spec: TenantRuntimeSpec = {
    tenant: { tenantId, uid: 30_500, gid: 30_500 },
    webserver: { kind: 'nginx', port: webPort, limits },
    sites: [
      {
        kind: 'php',
        siteId: 'hello',
        hostnames: ['php.bench.test', 'plain-php.bench.test'],
        version: '8.2',
        documentRoot: '',
        php: { memoryLimitMb: 128, uploadMaxMb: 8, postMaxMb: 8, maxExecutionSeconds: 30, displayErrors: false },
      },
    ],
    php: {
      bounds: {
        memoryLimitMb: { min: 32, max: 256 },
        uploadMaxMb: { min: 1, max: 64 },
        postMaxMb: { min: 1, max: 64 },
        maxExecutionSeconds: { min: 5, max: 120 },
        maxChildren: 4,
      },
      limits,
    },
    appLimits: limits,
    limits,
  };
  const caddy = await startCaddy();
  try {
    await mkdir(join(sitesDir(ctx, tenantId), 'hello'), { recursive: true });
    await writeFile(
      join(sitesDir(ctx, tenantId), 'hello', 'index.php'),
      '<?php echo "Hello from PHP ", PHP_VERSION, "\\n";',
      { mode: 0o644 },
    );
    await ensureTenantRuntime(ctx, spec);
    const sync = new HostTableSync({ client: caddy.client });
    const tenant: DesiredTenant = {
      id: tenantId,
      status: 'active',
      upstream: `127.0.0.1:${webPort}`,
      sites: [
        {
          id: 'hello',
          documentRoot: join(caddy.tenantsDir, tenantId, 'sites', 'hello', 'public'),
          domains: [
            {
              id: 'php',
              hostname: 'php.bench.test',
              kind: 'primary',
              wwwRedirect: 'none',
              tls: { mode: 'internal' },
              accessLog: true,
            },
            // wrk sends the URL's host as SNI: `localhost` resolves without touching /etc/hosts, Host says php.bench.test.
            { id: 'sni', hostname: 'localhost', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'internal' } },
            {
              id: 'plain',
              hostname: 'plain-php.bench.test',
              kind: 'alias',
              wwwRedirect: 'none',
              tls: { mode: 'off' },
              accessLog: true,
            },
          ],
        },
      ],
    };
    await sync.replaceAll(buildHostRecords([tenant], { staticBase: caddy.tenantsDir }).records);
    for (let i = 0; i < 200; i++) {
      const ok = await run('curl', [
        '-fsSk',
        '--resolve',
        `php.bench.test:${caddy.httpsPort}:127.0.0.1`,
        `https://php.bench.test:${caddy.httpsPort}/`,
      ]).then(
        () => true,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const measure = async () => ({
      straight: await wrk({ url: `http://127.0.0.1:${webPort}/`, host: 'php.bench.test', connections: 8 }),
      edge: await wrk({ url: `https://localhost:${caddy.httpsPort}/`, host: 'php.bench.test', connections: 8 }),
      edgeHttp: await wrk({ url: `http://127.0.0.1:${caddy.httpPort}/`, host: 'plain-php.bench.test', connections: 8 }),
    });
    await measure();
    const rounds = [await measure(), await measure(), await measure()];
    const med = (key: 'straight' | 'edge' | 'edgeHttp') =>
      pct(
        rounds.map((x) => x[key]),
        50,
      );
    const r = { straight: med('straight'), edge: med('edge'), edgeHttp: med('edgeHttp') };
    return [
      {
        measure: 'req/s PHP 8.2 hello straight to the tenant nginx (baseline)',
        value: r.straight.toFixed(0),
        goal: '',
        note: '1.00×',
      },
      {
        measure: 'req/s PHP 8.2 hello through the edge (HTTPS, keep-alive)',
        value: r.edge.toFixed(0),
        goal: '≥ 0.65×',
        note: `${(r.edge / r.straight).toFixed(2)}× (wrk's own TLS runs on the same 2 cores)`,
      },
      {
        measure: 'req/s PHP 8.2 hello through the edge (plain HTTP host)',
        value: r.edgeHttp.toFixed(0),
        goal: '',
        note: `${(r.edgeHttp / r.straight).toFixed(2)}×`,
      },
    ];
  } finally {
    await caddy.stop();
    await removeTenant(ctx, { tenantId, deleteSiteFiles: true }).catch(() => undefined);
    await releaseTenantsRoot(ctx).catch(() => undefined);
  }
}

await main();
