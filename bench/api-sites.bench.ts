/**
 * GET /api/v1/sites with 100 sites on SQLite: requests/s and latency percentiles from wrk on loopback,
 * against the built panel running as its own process (as `pnpm start` runs it). The baseline in the same
 * run is GET /api/v1/health (no auth, no database), so the ratio shows what auth + Prisma + serialization cost.
 * Bounded: each load run lasts DURATION seconds and stops by itself. Needs `pnpm build` and wrk.
 *   pnpm bench            (BENCH_DURATION=10 BENCH_CONNECTIONS=32 by default)
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createDockerDriver, EDGE_OWNER, observe, releaseTenantsRoot, removeEdge, removeTenant } from '@berth/runtime';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROOT = path.resolve(import.meta.dirname, '..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function api(base: string, method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(base + url, {
    method,
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

interface WrkResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  requests: number;
}

function wrk(url: string, headers: string[]): WrkResult {
  const args = [
    '-t',
    '2',
    '-c',
    String(CONNECTIONS),
    '-d',
    `${DURATION}s`,
    '--timeout',
    '5s',
    '--latency',
    ...headers.flatMap((h) => ['-H', h]),
    url,
  ];
  const out = spawnSync('wrk', args, { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`wrk failed: ${out.stderr}`);
  const text = out.stdout;
  const ms = (label: string) => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors =
    non2xx +
    (socket
      ? socket
          .slice(1)
          .map(Number)
          .reduce((a, b) => a + b, 0)
      : 0);
  return { rps, p50: ms('50'), p90: ms('90'), p99: ms('99'), errors, requests };
}

/** runPanel starts the built panel with 100 sites and runs `scenarios` against it. */
async function runPanel(
  env: Record<string, string>,
  scenarios: (ctx: { base: string; token: string; cookie: string }) => [string, WrkResult][],
): Promise<[string, WrkResult][]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const admin = { email: 'bench@example.test', password: 'bench-password-123' };
  const server = spawn(process.execPath, [path.join(ROOT, 'apps/api/dist/main.js')], {
    env: {
      ...process.env,
      BERTH_EDGE: 'off',
      ...env,
      BERTH_DATA_DIR: dataDir,
      BERTH_LISTEN: `127.0.0.1:${port}`,
      BERTH_ADMIN_EMAIL: admin.email,
      BERTH_ADMIN_PASSWORD: admin.password,
      BERTH_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`${base}/api/v1/health`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const session = { cookie, 'x-csrf-token': csrf };
    const plan = await api(base, 'POST', '/api/v1/plans', session, {
      name: 'Bench',
      maxSites: 200,
      maxDomains: 500,
      cpuMillicores: 1000,
      memoryMb: 1024,
      diskMb: 10000,
      bandwidthGb: 100,
      pidsLimit: 256,
      phpVersions: ['7.4', '8.2', '8.4'],
      phpMaxMemoryMb: 512,
      phpMaxUploadMb: 64,
      phpMaxExecSeconds: 60,
    });
    const tenant = await api(base, 'POST', '/api/v1/tenants', session, {
      slug: 'bench',
      name: 'Bench',
      planId: plan.id,
      owner: { email: 'owner@bench.test', password: 'owner-password-123' },
    });
    for (let i = 0; i < 100; i++) {
      const site = await api(base, 'POST', '/api/v1/sites', session, {
        tenantId: tenant.id,
        name: `site-${i}`,
        runtime: { kind: 'php', version: ['7.4', '8.2', '8.4'][i % 3] },
      });
      await api(base, 'POST', `/api/v1/sites/${site.id}/domains`, session, { hostname: `site-${i}.bench.test` });
    }
    const token = (await api(base, 'POST', '/api/v1/tokens', session, { name: 'bench', scope: 'read' }))
      .secret as string;
    const check = (await api(base, 'GET', '/api/v1/sites', { authorization: `Bearer ${token}` })) as {
      total: number;
      items: unknown[];
    };
    if (check.items.length !== 100) throw new Error(`expected 100 sites, got ${check.items.length}`);

    return scenarios({ base, token, cookie });
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    // The panel's reconciler made real containers for the bench tenant: remove them by this installation's labels.
    const driver = createDockerDriver({ dataDir });
    const seen = await observe(driver).catch(() => ({ containers: [], networks: [] }));
    for (const tenantId of new Set([...seen.containers, ...seen.networks].map((o) => o.tenantId))) {
      if (tenantId !== EDGE_OWNER) await removeTenant(driver, { tenantId, deleteSiteFiles: true });
    }
    await removeEdge(driver);
    await releaseTenantsRoot(driver);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error)
    throw new Error('wrk is not installed (apt-get install wrk, or bash scripts/prereqs.sh --tests)');
  if (!fs.existsSync(path.join(ROOT, 'apps/api/dist/main.js'))) throw new Error('build first: pnpm build');
  const rows = [
    ...(await runPanel({}, ({ base, token, cookie }) => [
      ['GET /api/v1/health (baseline: no auth, no database)', wrk(`${base}/api/v1/health`, [])],
      ['GET /api/v1/sites, 100 sites, bearer token', wrk(`${base}/api/v1/sites`, [`Authorization: Bearer ${token}`])],
      ['GET /api/v1/sites, 100 sites, session cookie', wrk(`${base}/api/v1/sites`, [`Cookie: ${cookie}`])],
    ])),
    ...(await runPanel({ BERTH_READ_CACHE: 'off' }, ({ base, token }) => [
      [
        'GET /api/v1/sites, 100 sites, bearer token, read cache off (every request queries SQLite)',
        wrk(`${base}/api/v1/sites`, [`Authorization: Bearer ${token}`]),
      ],
    ])),
  ];
  const baseline = rows[0]![1].rps;
  console.log(
    `\nBerth API on ${os.cpus().length} cores, wrk -t2 -c${CONNECTIONS} -d${DURATION}s (same machine), node ${process.version}\n`,
  );
  console.log('| scenario | req/s | vs baseline | p50 ms | p90 ms | p99 ms | requests | errors |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, r] of rows) {
    console.log(
      `| ${name} | ${r.rps.toFixed(0)} | ${(r.rps / baseline).toFixed(2)} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.requests} | ${r.errors} |`,
    );
  }
  console.log('\nTarget (issue 2): GET /api/v1/sites with 100 sites ≥ 3,000 req/s and p99 ≤ 20 ms.');
}

await main();
