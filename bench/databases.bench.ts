/**
 * Databases and WordPress figures (issue 13), against the built panel as its own process with the real Docker
 * engine, the managed Caddy and the real database servers (pnpm build and the images first).
 * Bounded by counts; stops by itself.
 *   pnpm tsx bench/databases.bench.ts      BENCH_DATABASES=100 BENCH_LOAD_REQUESTS=3000
 *
 * 1. Idle memory of the MariaDB and PostgreSQL servers right after their first database (cgroup usage minus
 *    inactive file pages, as the kernel would reclaim those first).
 * 2. Marginal memory per added tenant database: BENCH_DATABASES more databases (each with a table, opened once
 *    by the tenant's PHP) on each server, memory again, the difference per database.
 * 3. WordPress in one click on a fresh PHP 8.2 site: the POST's own time, and from the click to the first 200
 *    of the front page through the edge over HTTPS.
 * 4. WordPress front page req/s through the edge (logged-out visitor): PHP only, then with the tenant's Varnish
 *    on. The ratio is the figure (same machine, same run).
 */
import os from 'node:os';
import { execInContainer, observe, type DockerDriver } from '@berth/runtime';
import { HttpsSession } from '../apps/api/test/https-session.js';
import { PanelProcess } from '../apps/api/test/panel-process.js';
import https from 'node:https';

const DATABASES = Number(process.env.BENCH_DATABASES ?? 100);
const LOAD_REQUESTS = Number(process.env.BENCH_LOAD_REQUESTS ?? 3000);
const HOST = 'blog.bench.test';
const MB = 1024 * 1024;

/**
 * httpsLoad sends `requests` GETs through the edge over `connections` kept-alive TLS connections (SNI and Host are
 * the site's, which wrk cannot do for a name without DNS), stops after `capMs` whatever is left, and answers the
 * rate of 200s; any other status makes it throw (a rate of errors is not a figure).
 */
async function httpsLoad(opts: {
  port: number;
  host: string;
  ca: string;
  requests: number;
  connections: number;
  capMs: number;
}): Promise<number> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: opts.connections, ca: opts.ca, servername: opts.host });
  let sent = 0;
  let ok = 0;
  const started = Date.now();
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port: opts.port,
          path: '/',
          agent,
          servername: opts.host,
          headers: { host: `${opts.host}:${opts.port}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode} for ${opts.host}`));
            else {
              ok++;
              resolve();
            }
          });
        },
      );
      req.on('error', reject);
    });
  const worker = async () => {
    while (sent < opts.requests && Date.now() - started < opts.capMs) {
      sent++;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.connections }, worker));
  } finally {
    agent.destroy();
  }
  return ok / ((Date.now() - started) / 1000);
}

/** memoryOf is a container's memory the way `docker stats` counts it (usage − inactive file pages). */
async function memoryOf(driver: DockerDriver, name: string): Promise<number> {
  const stats = (await driver.docker.getContainer(name).stats({ stream: false })) as {
    memory_stats?: { usage?: number; stats?: Record<string, number> };
  };
  const m = stats.memory_stats;
  if (m?.usage === undefined) throw new Error(`no memory figures for ${name}`);
  return m.usage - (m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0);
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const rows: [string, string, string][] = [];
  const panel = await PanelProcess.start({ BERTH_LOG_LEVEL: 'warn' });
  try {
    const driver = panel.driver();
    const plan = await panel.api<{ id: string }>('POST', '/plans', {
      name: 'Bench',
      maxSites: 5,
      maxDomains: 5,
      cpuMillicores: 2000,
      memoryMb: 1024,
      diskMb: 10_000,
      bandwidthGb: 100,
      pidsLimit: 512,
      phpVersions: ['8.2'],
      phpMaxMemoryMb: 256,
      phpMaxUploadMb: 64,
      phpMaxExecSeconds: 60,
      maxDatabases: 2 * DATABASES + 10,
    });
    const tenant = await panel.api<{ id: string }>('POST', '/tenants', {
      slug: 'bench',
      name: 'Bench',
      planId: plan.body.id,
      owner: { email: 'owner@bench.test', password: 'bench-password-123' },
    });
    const tenantId = tenant.body.id;
    const site = await panel.api<{ id: string }>('POST', '/sites', {
      tenantId,
      name: 'blog',
      runtime: { kind: 'php', version: '8.2' },
    });
    const siteId = site.body.id;
    await panel.api('POST', `/sites/${siteId}/domains`, { hostname: HOST });
    await panel.waitFor(
      'site live',
      async () => (await panel.api<{ status: string }>('GET', `/sites/${siteId}`)).body.status === 'live',
      180_000,
    );

    // 1. Idle memory after the first database of each engine.
    for (const engine of ['mariadb', 'postgresql'] as const) {
      const res = await panel.api('POST', '/databases', { tenantId, engine, name: 'first', user: 'firstuser' });
      if (res.status !== 201) throw new Error(`first ${engine} database: ${res.text}`);
    }
    await settle(10_000);
    const servers = (await observe(driver)).containers.filter((c) => c.role === 'database');
    const idle: Record<string, number> = {};
    for (const c of servers) idle[c.component] = await memoryOf(driver, c.id);
    for (const engine of ['mariadb', 'postgresql']) {
      rows.push([
        `idle memory of the ${engine} server (1 database)`,
        `${((idle[engine] ?? 0) / MB).toFixed(1)} MB`,
        'report',
      ]);
    }

    // 2. Marginal memory per database: DATABASES more on each engine, each with a table the tenant's PHP touched.
    const php = (await observe(driver, { tenantId })).containers.find((c) => c.role === 'php-fpm')!;
    for (const engine of ['mariadb', 'postgresql'] as const) {
      for (let i = 0; i < DATABASES; i++) {
        const res = await panel.api<{ name: string; user: { name: string; password: string } }>('POST', '/databases', {
          tenantId,
          engine,
          name: `d${i}`,
          user: `u${i}`,
        });
        if (res.status !== 201) throw new Error(`${engine} database ${i}: ${res.text}`);
        const { name, user } = res.body;
        const code =
          engine === 'mariadb'
            ? `$c = mysqli_connect('localhost', '${user.name}', '${user.password}', '${name}'); mysqli_query($c, 'CREATE TABLE t (id INT PRIMARY KEY, v TEXT)'); mysqli_query($c, "INSERT INTO t VALUES (1, 'x')");`
            : `$c = pg_connect('host=/run/postgresql dbname=${name} user=${user.name} password=${user.password}'); pg_query($c, 'CREATE TABLE t (id INT PRIMARY KEY, v TEXT)'); pg_query($c, "INSERT INTO t VALUES (1, 'x')");`;
        const out = await execInContainer(driver, php.id, ['php', '-r', code], { timeoutMs: 30_000 });
        if (out.exitCode !== 0) throw new Error(`${engine} table in ${name}: ${out.stderr}`);
      }
    }
    await settle(10_000);
    for (const c of servers) {
      const after = await memoryOf(driver, c.id);
      const per = (after - (idle[c.component] ?? 0)) / DATABASES;
      rows.push([
        `marginal memory per added ${c.component} database (${DATABASES} databases, a table each)`,
        `${(per / MB).toFixed(3)} MB (${((idle[c.component] ?? 0) / MB).toFixed(0)} → ${(after / MB).toFixed(0)} MB)`,
        per <= MB ? '≤ 1 MB: met' : '≤ 1 MB: NOT met',
      ]);
    }

    // 3. One click to the first 200.
    const web = new HttpsSession(panel.httpsPort, panel.caRoot);
    const base = `https://${HOST}:${panel.httpsPort}`;
    const clicked = Date.now();
    const install = await panel.api<{ status: string }>('POST', `/sites/${siteId}/apps/wordpress`, {
      title: 'Bench Blog',
      adminUser: 'editor',
      adminEmail: 'editor@bench.test',
    });
    const answered = Date.now();
    if (install.status !== 201) throw new Error(`WordPress: ${install.text}`);
    let firstOk = 0;
    for (let i = 0; i < 600 && firstOk === 0; i++) {
      const res = await web.request('GET', `${base}/`).catch(() => undefined);
      if (res?.status === 200 && res.body.includes('Bench Blog')) firstOk = Date.now();
      else await settle(50);
    }
    rows.push(['one-click WordPress: the POST answered', `${((answered - clicked) / 1000).toFixed(1)} s`, 'report']);
    rows.push([
      'one-click WordPress → first 200 of the front page (HTTPS, edge)',
      firstOk ? `${((firstOk - clicked) / 1000).toFixed(1)} s` : 'never',
      firstOk && firstOk - clicked <= 10_000 ? '≤ 10 s: met' : '≤ 10 s: NOT met',
    ]);

    // 4. Front page req/s through the edge: PHP only, then Varnish on.
    const load = (requests = LOAD_REQUESTS) =>
      httpsLoad({ port: panel.httpsPort, host: HOST, ca: panel.caRoot, requests, connections: 8, capMs: 30_000 });
    await load(100); // warm-up: opcache, WordPress's own caches, TLS sessions
    const phpOnly = await load();
    await panel.api('PATCH', `/tenants/${tenantId}`, { varnishEnabled: true });
    await panel.waitFor(
      'Varnish serving the front page',
      async () => {
        const res = await web.request('GET', `${base}/`);
        return res.status === 200 && /HIT/.test(String(res.headers['x-cache'] ?? ''));
      },
      180_000,
    );
    const varnish = await load();
    rows.push(['WordPress front page, PHP 8.2 only (req/s through the edge)', phpOnly.toFixed(0), 'baseline']);
    rows.push([
      'WordPress front page, Varnish on (req/s through the edge)',
      `${varnish.toFixed(0)} (×${(varnish / phpOnly).toFixed(1)})`,
      varnish / phpOnly >= 6 ? '≥ ×6: met' : '≥ ×6: NOT met',
    ]);
  } finally {
    await panel.stop();
  }
  console.log(
    `\nBerth databases and WordPress on ${os.cpus().length} cores (node ${process.version}; real Docker, managed Caddy, MariaDB 10.11, PostgreSQL 15)\n`,
  );
  console.log('| measure | result | goal |');
  console.log('|---|---|---|');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
