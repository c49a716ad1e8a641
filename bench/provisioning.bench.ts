/**
 * Provisioning figures, against the built panel as its own process with the real Docker engine and the
 * managed Caddy (pnpm build and the images first). Prints one table; bounded by counts, stops by itself.
 *   pnpm tsx bench/provisioning.bench.ts      BENCH_TENANTS=10 BENCH_DOMAINS=1000 BENCH_IDLE_TENANTS=50
 */
import os from 'node:os';
import { observe } from '@berth/runtime';
import { PanelProcess } from '../apps/api/test/panel-process.js';
import { percentile } from './stats.js';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 10);
const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 1000);
const IDLE_TENANTS = Number(process.env.BENCH_IDLE_TENANTS ?? 50);
const DOMAIN_SAMPLES = 20;

const pct = percentile;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  const panel = await PanelProcess.start({ BERTH_LOG_LEVEL: 'warn' });
  const rows: [string, string, string][] = [];
  const report = (row: [string, string, string]) => {
    rows.push(row);
    console.log(`measured: ${row.join(' | ')}`);
  };
  try {
    const plan = await panel.api<{ id: string }>('POST', '/plans', {
      name: 'Bench',
      maxSites: 50,
      maxDomains: DOMAINS + 100,
      cpuMillicores: 1000,
      memoryMb: 256,
      diskMb: 1000,
      bandwidthGb: 10,
      pidsLimit: 128,
      phpVersions: ['7.4', '8.2', '8.4'],
      phpMaxMemoryMb: 256,
      phpMaxUploadMb: 32,
      phpMaxExecSeconds: 30,
    });
    const planId = plan.body.id;

    // 1. API call → first HTTPS 200, new tenant + PHP site + domain.
    const cold: number[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const t0 = performance.now();
      const t = await panel.api<{ id: string }>('POST', '/tenants', {
        slug: `cold-${i}`,
        name: 'cold',
        planId,
        owner: { email: `cold-${i}@bench.test`, password: 'bench-password-123' },
      });
      const s = await panel.api<{ id: string }>('POST', '/sites', {
        tenantId: t.body.id,
        name: 'www',
        runtime: { kind: 'php', version: '8.2' },
      });
      const host = `cold-${i}.bench.test`;
      await panel.api('POST', `/sites/${s.body.id}/domains`, { hostname: host });
      await until(host, async () => (await panel.https(host, '/')).status === 200);
      cold.push(performance.now() - t0);
    }
    report([
      `new tenant + PHP site: API call → first HTTPS 200 (${TENANTS} tenants)`,
      `p50 ${(pct(cold, 50) / 1000).toFixed(2)} s, p95 ${(pct(cold, 95) / 1000).toFixed(2)} s`,
      'goal p50 ≤ 2 s',
    ]);

    // 2. Domain add → HTTPS 200 with DOMAINS domains present.
    const t = await panel.api<{ id: string }>('POST', '/tenants', {
      slug: 'many',
      name: 'many',
      planId,
      owner: { email: 'many@bench.test', password: 'bench-password-123' },
    });
    const s = await panel.api<{ id: string }>('POST', '/sites', {
      tenantId: t.body.id,
      name: 'www',
      runtime: { kind: 'static' },
    });
    for (let i = 0; i < DOMAINS; i++)
      await panel.api('POST', `/sites/${s.body.id}/domains`, { hostname: `d${i}.many.test` });
    await until(
      'last bulk domain',
      async () => (await panel.https(`d${DOMAINS - 1}.many.test`, '/')).status === 200,
      600_000,
    );
    const adds: number[] = [];
    for (let i = 0; i < DOMAIN_SAMPLES; i++) {
      const host = `new${i}.many.test`;
      const t0 = performance.now();
      await panel.api('POST', `/sites/${s.body.id}/domains`, { hostname: host });
      await until(host, async () => (await panel.https(host, '/')).status === 200);
      adds.push(performance.now() - t0);
    }
    report([
      `domain add → HTTPS 200 with ${DOMAINS} domains present (${DOMAIN_SAMPLES} adds)`,
      `p50 ${pct(adds, 50).toFixed(0)} ms, p95 ${pct(adds, 95).toFixed(0)} ms`,
      'goal p95 ≤ 300 ms',
    ]);

    // 3. PHP version switch under load.
    const sw = await panel.api<{ id: string }>('POST', '/sites', {
      tenantId: t.body.id,
      name: 'switch',
      runtime: { kind: 'php', version: '7.4' },
    });
    await panel.api('POST', `/sites/${sw.body.id}/domains`, { hostname: 'switch.many.test' });
    await until('switch site', async () => (await panel.https('switch.many.test', '/')).body.includes('runs PHP 7.4.'));
    let stop = false;
    let okCount = 0;
    let failed = 0;
    const loop = (async () => {
      while (!stop) {
        const res = await panel.https('switch.many.test', '/').catch(() => ({ status: 0, body: '' }));
        if (res.status === 200) okCount++;
        else failed++;
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    await panel.api('PATCH', `/sites/${sw.body.id}`, { runtime: { kind: 'php', version: '8.4' } });
    await until('8.4 served', async () => (await panel.https('switch.many.test', '/')).body.includes('runs PHP 8.4.'));
    const switchMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 3_000));
    stop = true;
    await loop;
    report([
      'PHP 7.4 → 8.4 switch: API call → new version served; requests during it',
      `${(switchMs / 1000).toFixed(2)} s; ${failed} failed of ${okCount + failed}`,
      'goal 0 failed',
    ]);

    // 4. Memory per idle tenant with IDLE_TENANTS running (webserver + one PHP-FPM each).
    const existing = TENANTS;
    for (let i = existing; i < IDLE_TENANTS; i++) {
      const ti = await panel.api<{ id: string }>('POST', '/tenants', {
        slug: `idle-${i}`,
        name: 'idle',
        planId,
        owner: { email: `idle-${i}@bench.test`, password: 'bench-password-123' },
      });
      await panel.api('POST', '/sites', {
        tenantId: ti.body.id,
        name: 'www',
        runtime: { kind: 'php', version: '8.2' },
      });
    }
    const driver = panel.driver();
    await until(
      'idle tenants running',
      async () => {
        const seen = await observe(driver);
        return seen.containers.filter((c) => c.role === 'php-fpm' && c.running).length >= IDLE_TENANTS;
      },
      900_000,
    );
    await new Promise((r) => setTimeout(r, 15_000)); // ondemand PHP workers idle out
    const seen = await observe(driver);
    const slugs = new Set<string>();
    let bytes = 0;
    let gone = 0;
    for (const c of seen.containers) {
      if (c.role !== 'webserver' && c.role !== 'php-fpm') continue;
      // A container that stopped or went away since it was listed has no memory figures: count it, skip it.
      const stats = (await driver.docker
        .getContainer(c.id)
        .stats({ stream: false })
        .catch(() => undefined)) as { memory_stats?: { usage?: number; stats?: Record<string, number> } } | undefined;
      const memory = stats?.memory_stats;
      if (memory?.usage === undefined) {
        gone++;
        continue;
      }
      const inactive = memory.stats?.inactive_file ?? memory.stats?.total_inactive_file ?? 0;
      bytes += memory.usage - inactive;
      slugs.add(c.tenantId);
    }
    const perTenant = slugs.size > 0 ? `${(bytes / slugs.size / 1024 / 1024).toFixed(1)} MB` : 'n/a';
    report([
      `memory per idle tenant (cgroup usage − inactive file), ${slugs.size} tenants${gone > 0 ? `; ${gone} container(s) gone before they could be measured` : ''}`,
      perTenant,
      'for reference',
    ]);
  } finally {
    await panel.stop();
  }
  console.log(
    `\nBerth provisioning on ${os.cpus().length} cores (node ${process.version}; real Docker, managed Caddy 2.11, SQLite)\n`,
  );
  console.log('| measure | result | target |');
  console.log('|---|---|---|');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

await main();
