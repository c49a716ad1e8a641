/**
 * Runtime benchmark: cold start of a tenant to its first 200, idle memory of a tenant, and PHP hello-page
 * throughput per version through the tenant webserver, each against a baseline measured in the same run.
 * Uses the real Docker engine and the local images; loopback only; removes everything it created.
 *
 *   pnpm tsx bench/runtime.bench.ts
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createDockerDriver,
  ensureTenantRuntime,
  observe,
  releaseTenantsRoot,
  removeTenant,
  sitesDir,
  type DockerDriver,
  type PhpBounds,
  type ResourceLimits,
  type SiteSpec,
  type TenantRuntimeSpec,
} from '../packages/runtime/src/index.js';
import { wrk as runWrk } from './wrk.js';
import { percentile } from './stats.js';

const run = promisify(execFile);
const COLD_RUNS = 10;
const WRK_REQUESTS = 20_000; // per measurement
const WRK_CAP_S = 8; // time cap per measurement
const WRK_CONNECTIONS = 8;
const MEM_TENANTS = 4;

const LIMITS: ResourceLimits = { nanoCpus: 1_000_000_000, memoryBytes: 256 * 1024 * 1024, pids: 256 };
// The tenant's totals (its parent cgroup) for all its containers: room for the bench's sites side by side.
const TENANT_LIMITS: ResourceLimits = { nanoCpus: 2_000_000_000, memoryBytes: 1024 * 1024 * 1024, pids: 1024 };
const BOUNDS: PhpBounds = {
  memoryLimitMb: { min: 32, max: 256 },
  uploadMaxMb: { min: 1, max: 64 },
  postMaxMb: { min: 1, max: 64 },
  maxExecutionSeconds: { min: 5, max: 120 },
  maxChildren: 4,
};
const PHP = { memoryLimitMb: 128, uploadMaxMb: 8, postMaxMb: 8, maxExecutionSeconds: 30, displayErrors: false };
const HELLO = '<?php echo "Hello from PHP ", PHP_VERSION, "\\n";';

const created = new Set<string>();

function tenantId(): string {
  return `bench-${randomBytes(3).toString('hex')}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function get(port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', headers: { Host: host }, agent: false, timeout: 2000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function until200(port: number, host: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await get(port, host)) !== 200) {
    if (Date.now() > deadline) throw new Error(`${host} on :${port} never answered 200`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function writeSite(
  ctx: DockerDriver,
  tenant: string,
  site: string,
  file: string,
  content: string,
): Promise<void> {
  const dir = join(sitesDir(ctx, tenant), site);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, file), content, { mode: 0o644 });
}

function spec(tenant: string, uid: number, port: number, sites: SiteSpec[]): TenantRuntimeSpec {
  return {
    tenant: { tenantId: tenant, uid, gid: uid },
    webserver: { kind: 'nginx', port, limits: LIMITS },
    sites,
    php: { bounds: BOUNDS, limits: LIMITS },
    appLimits: LIMITS,
    limits: TENANT_LIMITS,
  };
}

/** Cold start: network + nginx + one PHP-FPM 8.2, from the ensure call to the first 200. */
async function measureColdStart(ctx: DockerDriver): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t = tenantId();
    created.add(t);
    const port = await freePort();
    await writeSite(ctx, t, 'hello', 'index.php', HELLO);
    const start = performance.now();
    await ensureTenantRuntime(
      ctx,
      spec(t, 30000 + i, port, [
        { kind: 'php', siteId: 'hello', hostnames: ['hello.bench.test'], version: '8.2', documentRoot: '', php: PHP },
      ]),
    );
    await until200(port, 'hello.bench.test');
    times.push(performance.now() - start);
    await removeTenant(ctx, { tenantId: t, deleteSiteFiles: true });
    created.delete(t);
  }
  return times;
}

async function containerMemory(ctx: DockerDriver, id: string): Promise<{ rss: number; pss: number }> {
  const top = (await ctx.docker.getContainer(id).top({ ps_args: '-o pid' })) as {
    Titles: string[];
    Processes: string[][];
  };
  let rss = 0;
  let pss = 0;
  for (const row of top.Processes) {
    const pid = row[0];
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    rss += Number(/^Rss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
    pss += Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

function wrk(port: number, host: string): Promise<number> {
  return runWrk({
    url: `http://127.0.0.1:${port}/`,
    host,
    connections: WRK_CONNECTIONS,
    requests: WRK_REQUESTS,
    capSeconds: WRK_CAP_S,
  });
}

function row(cols: string[], widths: number[]): string {
  return cols.map((c, i) => c.padEnd(widths[i] ?? 10)).join('  ');
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-bench-'));
  const ctx = createDockerDriver({ dataDir, profile: 'local' });
  const out: string[][] = [];
  try {
    // Cold start, with a baseline of a static-only tenant (network + nginx) in the same run.
    const cold = await measureColdStart(ctx);
    const baseTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = tenantId();
      created.add(t);
      const port = await freePort();
      await writeSite(ctx, t, 'static', 'index.html', 'hello\n');
      const start = performance.now();
      await ensureTenantRuntime(
        ctx,
        spec(t, 31000 + i, port, [
          { kind: 'static', siteId: 'static', hostnames: ['static.bench.test'], documentRoot: '' },
        ]),
      );
      await until200(port, 'static.bench.test');
      baseTimes.push(performance.now() - start);
      await removeTenant(ctx, { tenantId: t, deleteSiteFiles: true });
      created.delete(t);
    }
    const coldP50 = percentile(cold, 50);
    const baseColdP50 = percentile(baseTimes, 50);
    out.push([
      'cold start to first 200 (net+nginx+php-fpm 8.2), p50',
      `${(coldP50 / 1000).toFixed(2)} s`,
      `≤ 2 s`,
      `${(coldP50 / baseColdP50).toFixed(2)}× static-only tenant (${(baseColdP50 / 1000).toFixed(2)} s)`,
    ]);
    out.push([
      'cold start, p90 / max',
      `${(percentile(cold, 90) / 1000).toFixed(2)} / ${(Math.max(...cold) / 1000).toFixed(2)} s`,
      '',
      '',
    ]);

    // One tenant with a static baseline site and one PHP site per version, for memory and throughput.
    const t = tenantId();
    created.add(t);
    const port = await freePort();
    const sites: SiteSpec[] = [
      { kind: 'static', siteId: 'static', hostnames: ['static.bench.test'], documentRoot: '' },
    ];
    await writeSite(ctx, t, 'static', 'index.html', 'Hello from nginx\n');
    for (const v of ['7.4', '8.2', '8.4'] as const) {
      const id = `php${v.replace('.', '')}`;
      await writeSite(ctx, t, id, 'index.php', HELLO);
      sites.push({ kind: 'php', siteId: id, hostnames: [`${id}.bench.test`], version: v, documentRoot: '', php: PHP });
    }
    // Memory first with only nginx + PHP 8.2 (the tenant of the goal), idle after one request each.
    const memSpec = spec(
      t,
      32000,
      port,
      sites.filter((s) => s.siteId === 'static' || s.siteId === 'php82'),
    );
    await ensureTenantRuntime(ctx, memSpec);
    await until200(port, 'php82.bench.test');
    await until200(port, 'static.bench.test');
    await new Promise((r) => setTimeout(r, 12_000)); // ondemand workers exit after 10 s idle
    const state = await observe(ctx, { tenantId: t });
    let rss = 0;
    let pss = 0;
    const parts: string[] = [];
    for (const c of state.containers) {
      const m = await containerMemory(ctx, c.id);
      rss += m.rss;
      pss += m.pss;
      parts.push(`${c.component} ${m.pss.toFixed(1)}`);
    }
    const web = state.containers.find((c) => c.component === 'webserver');
    const webPss = web ? (await containerMemory(ctx, web.id)).pss : Number.NaN;
    out.push([
      'idle tenant memory (nginx + php-fpm 8.2), PSS, alone',
      `${pss.toFixed(1)} MB`,
      '≤ 20 MB',
      `${(pss / webPss).toFixed(2)}× nginx alone (${parts.join(', ')} MB)`,
    ]);
    out.push(['idle tenant memory (nginx + php-fpm 8.2), RSS, alone', `${rss.toFixed(1)} MB`, '', '']);

    // PSS splits pages shared through the image between tenants: with several tenants on the same images,
    // the per-tenant figure approaches what one more tenant really costs.
    const extra: string[] = [];
    for (let i = 0; i < MEM_TENANTS - 1; i++) {
      const x = tenantId();
      created.add(x);
      extra.push(x);
      const xPort = await freePort();
      await writeSite(ctx, x, 'php82', 'index.php', HELLO);
      await ensureTenantRuntime(
        ctx,
        spec(x, 33000 + i, xPort, [
          { kind: 'php', siteId: 'php82', hostnames: ['php82.bench.test'], version: '8.2', documentRoot: '', php: PHP },
        ]),
      );
      await until200(xPort, 'php82.bench.test');
    }
    await new Promise((r) => setTimeout(r, 12_000));
    let allPss = 0;
    for (const x of [t, ...extra]) {
      for (const c of (await observe(ctx, { tenantId: x })).containers)
        allPss += (await containerMemory(ctx, c.id)).pss;
    }
    out.push([
      `idle tenant memory, PSS per tenant with ${MEM_TENANTS} idle tenants`,
      `${(allPss / MEM_TENANTS).toFixed(1)} MB`,
      '≤ 20 MB',
      `${(allPss / MEM_TENANTS / pss).toFixed(2)}× a lone tenant`,
    ]);
    for (const x of extra) {
      await removeTenant(ctx, { tenantId: x, deleteSiteFiles: true });
      created.delete(x);
    }

    // Throughput: all three versions on the same webserver; warm up, then measure.
    await ensureTenantRuntime(ctx, spec(t, 32000, port, sites));
    for (const s of sites) await until200(port, s.hostnames[0]!);
    const hosts = sites.map((s) => s.hostnames[0]!);
    for (const h of hosts) {
      await run('/usr/bin/wrk', ['-t1', '-c2', '-d1s', '-H', `Host: ${h}`, `http://127.0.0.1:${port}/`]);
    }
    const base = await wrk(port, 'static.bench.test');
    out.push(['req/s static page through nginx (baseline)', base.toFixed(0), '', '1.00×']);
    for (const v of ['7.4', '8.2', '8.4']) {
      const rps = await wrk(port, `php${v.replace('.', '')}.bench.test`);
      out.push([`req/s PHP ${v} hello page through nginx`, rps.toFixed(0), '', `${(rps / base).toFixed(2)}× baseline`]);
    }
  } finally {
    for (const t of created) await removeTenant(ctx, { tenantId: t, deleteSiteFiles: true });
    await releaseTenantsRoot(ctx);
    await rm(dataDir, { recursive: true, force: true });
  }
  const widths = [54, 14, 9, 60];
  const lines = [
    row(['measure', 'value', 'goal', 'vs baseline'], widths),
    row(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
    ...out.map((r) => row(r, widths)),
  ];
  process.stdout.write(
    `Berth runtime bench (${COLD_RUNS} cold starts; wrk ${WRK_REQUESTS} requests, ${WRK_CONNECTIONS} connections, cap ${WRK_CAP_S} s; containers 1 CPU / 256 MB)\n${lines.join('\n')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`runtime bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
