/**
 * The console's first load: JavaScript shipped (gzip and raw KB, from the built index.html's
 * script/modulepreload graph plus the first view's lazy chunks, via Vite's manifest, and as fetched by
 * Chromium) against the 200 KB gzip goal, and time to interactive in Debian's Chromium on loopback against
 * the real built panel:
 *   login        navigation start → the Email field is visible and enabled
 *   dashboard    navigation start → the "Dashboard" h1 is visible, and → the tenant count is loaded
 *   home         navigation start → the h1 is visible and no loading indicator is left ("interactive"),
 *                for the operator's dashboard and an account owner's home in the same run (goal: the
 *                tenant home within 1.2× the admin dashboard)
 * Baseline in the same run: navigation start → load of GET /api/v1/health (same server, no console).
 * Lazy boundaries (from the manifest): no lazily imported module is in the entry's static graph, and no
 * code editor or chart library is in any first load. A broken boundary sets a non-zero exit code.
 * Each run uses a fresh browser context (cold cache). Median of BENCH_RUNS (default 7). Bounded: every
 * wait has a timeout and the whole bench stops itself after 5 minutes.
 *   pnpm tsx bench/web.bench.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, ensureBuilt, removeDataDir, REPO_ROOT, startPanel, type Panel } from '../apps/web/test/panel';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const GOAL_KB = 200;
const DIST = path.join(REPO_ROOT, 'apps/web/dist');
const TTI_RATIO_GOAL = 1.2;
const ADMIN = { email: 'bench@berth.localhost', password: 'bench-password-1234' };
const OWNER = { email: 'owner@bench.test', password: 'bench-owner-password-1' };
/**
 * HEAVY_LIBRARIES are what must only ever load with the view that needs it: a code editor (files) and
 * charts (dashboard, usage). Matched against manifest keys and module sources, and the text of chunks.
 */
const HEAVY_LIBRARIES: { label: string; pattern: RegExp }[] = [
  {
    label: 'code editor',
    pattern: /@codemirror|codemirror|monaco-editor|@monaco-editor|@uiw\/react-codemirror|\bcm-editor\b/,
  },
  { label: 'charts', pattern: /recharts|@mantine\/charts|chart\.js|uplot|echarts|apexcharts|\bvictory-/ },
];

interface ManifestChunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  src?: string;
}
type Manifest = Record<string, ManifestChunk>;

/** staticGraph is a chunk and every chunk it imports statically (what the browser must fetch before running it). */
function staticGraph(manifest: Manifest, key: string, seen = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const dep of chunk.imports ?? []) staticGraph(manifest, dep, seen);
  return seen;
}

/** htmlScripts lists the JS files index.html loads: its module script and its modulepreload links. */
function htmlScripts(): string[] {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const found = [
    ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
  ];
  return [...new Set(found.map((m) => m[1]!))];
}

function sizeOf(files: Iterable<string>): { raw: number; gzip: number; count: number } {
  let raw = 0;
  let gzip = 0;
  let count = 0;
  for (const file of files) {
    const bytes = fs.readFileSync(path.join(DIST, file));
    raw += bytes.length;
    gzip += zlib.gzipSync(bytes, { level: 9 }).length;
    count++;
  }
  return { raw, gzip, count };
}

/**
 * lazyBoundaryBreaks lists every module that is imported lazily (a `dynamicImports` of some chunk) yet
 * ships in the entry's static graph anyway: a static import somewhere pulled it into the first load.
 */
function lazyBoundaryBreaks(manifest: Manifest, entry: Set<string>): string[] {
  const lazyKeys = new Set(Object.values(manifest).flatMap((chunk) => chunk.dynamicImports ?? []));
  return [...lazyKeys].filter((key) => manifest[key] && entry.has(manifest[key].file));
}

/** heavyIn names the HEAVY_LIBRARIES found in `files` (by manifest key, source path or chunk text). */
function heavyIn(manifest: Manifest, files: Iterable<string>): string[] {
  const byFile = new Map(Object.entries(manifest).map(([key, chunk]) => [chunk.file, `${key} ${chunk.src ?? ''}`]));
  const found = new Set<string>();
  for (const file of files) {
    const text = `${byFile.get(file) ?? ''}\n${fs.readFileSync(path.join(DIST, file), 'utf8')}`;
    for (const { label, pattern } of HEAVY_LIBRARIES) if (pattern.test(text)) found.add(`${label} (${file})`);
  }
  return [...found];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type Kind = 'baseline' | 'login' | 'dashboard' | 'tenant-home';

interface Measured {
  /** login: the Email field enabled; dashboard: its h1 visible; tenant-home: its h1 visible. */
  visible: number;
  /** dashboard: the tenant count loaded. */
  data?: number;
  /** dashboard and tenant-home: the h1 visible and no loading indicator left. */
  interactive?: number;
  /** The console's JS files Chromium fetched until then (paths under dist/). */
  scripts: string[];
}

/**
 * settledAt answers performance.now() once the view has a visible h1 and no loading indicator is left
 * (the route's PageLoader, or a "Loading …" line of a list), else false: the same test for every home.
 */
function settledAt(): number | false {
  const h1 = document.querySelector('h1');
  if (!h1 || h1.getBoundingClientRect().height === 0) return false;
  const loading = Array.from(document.querySelectorAll('[role="status"]')).some(
    (el) => el.getAttribute('aria-label') === 'Loading' || /^Loading /.test(el.textContent ?? ''),
  );
  return loading ? false : performance.now();
}

async function measure(browser: Browser, panel: Panel, kind: Kind): Promise<Measured> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    if (kind === 'dashboard' || kind === 'tenant-home') {
      const who = kind === 'dashboard' ? ADMIN : OWNER;
      const login = await context.request.post(`${panel.url}/api/v1/auth/login`, { data: who });
      if (!login.ok()) throw new Error(`bench login as ${who.email} failed: ${login.status()}`);
    }
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const scripts = new Set<string>();
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.endsWith('.js')) scripts.add(pathname.slice(1));
    });
    if (kind === 'baseline') {
      await page.goto(`${panel.url}/api/v1/health`, { waitUntil: 'load' });
      const load = await page.evaluate(
        () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
      );
      return { visible: load, scripts: [] };
    }
    await page.goto(`${panel.url}${kind === 'login' ? '/login' : '/'}`, { waitUntil: 'commit' });
    if (kind === 'login') {
      const at = await page.waitForFunction(
        () => {
          const input = document.querySelector<HTMLInputElement>('input[type="email"]');
          return input && !input.disabled && input.getBoundingClientRect().height > 0 ? performance.now() : false;
        },
        undefined,
        { polling: 'raf' },
      );
      return { visible: (await at.jsonValue()) as number, scripts: [...scripts] };
    }
    const heading = await page.waitForFunction(
      (title) => {
        const h1 = document.querySelector('h1');
        return h1 && (title === null || h1.textContent === title) && h1.getBoundingClientRect().height > 0
          ? performance.now()
          : false;
      },
      kind === 'dashboard' ? 'Dashboard' : null,
      { polling: 'raf' },
    );
    const interactive = await page.waitForFunction(settledAt, undefined, { polling: 'raf' });
    const result: Measured = {
      visible: (await heading.jsonValue()) as number,
      interactive: (await interactive.jsonValue()) as number,
      scripts: [...scripts],
    };
    if (kind === 'dashboard') {
      const data = await page.waitForFunction(
        () => {
          const count = document.querySelector('[data-testid="count-Tenants"]');
          return count && /^\d+$/.test(count.textContent ?? '') ? performance.now() : false;
        },
        undefined,
        { polling: 'raf' },
      );
      result.data = (await data.jsonValue()) as number;
      result.scripts = [...scripts];
    }
    return result;
  } finally {
    await context.close();
  }
}

/**
 * removeTenant terminates the bench's tenant and waits until the panel reports its runtime removed, so
 * nothing of it is left on the shared Docker engine.
 */
async function removeTenant(panel: Panel, tenantId: string): Promise<void> {
  await panel.api('DELETE', `/tenants/${tenantId}`);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const removed = await panel.api<{ total: number }>(
      'GET',
      `/events?tenantId=${tenantId}&action=tenant.runtime-remove`,
    );
    if (removed.body.total > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(): Promise<void> {
  ensureBuilt();
  const manifest = JSON.parse(fs.readFileSync(path.join(DIST, '.vite/manifest.json'), 'utf8')) as Manifest;
  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  const html = new Set(htmlScripts());
  const entry = staticGraph(manifest, entryKey);
  const lazy = (src: string) => staticGraph(manifest, src);
  // A library the entry imports lazily (not a view) loads next to the first view: it counts in both.
  const libraries = (manifest[entryKey]!.dynamicImports ?? [])
    .filter((k) => !k.startsWith('src/'))
    .flatMap((k) => [...lazy(k)]);
  const loginFiles = new Set([...html, ...entry, ...libraries, ...lazy('src/features/auth/LoginPage.tsx')]);
  const dashFiles = new Set([
    ...html,
    ...entry,
    ...libraries,
    ...lazy('src/features/shell/Shell.tsx'),
    ...lazy('src/pages/DashboardPage.tsx'),
  ]);
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  const sizeRow = (label: string, size: ReturnType<typeof sizeOf>) =>
    console.log(
      `| ${label} | ${size.count} | ${kb(size.raw)} | ${kb(size.gzip)} | ${size.gzip / 1024 <= GOAL_KB ? 'yes' : 'NO'} |`,
    );
  const rows = [
    ['index.html scripts + modulepreload', sizeOf(html)],
    ['entry static graph (manifest)', sizeOf(entry)],
    ...(libraries.length > 0 ? [['lazy library chunks', sizeOf(libraries)] as const] : []),
    ['first load of /login (manifest)', sizeOf(loginFiles)],
    ['first load of / (dashboard, manifest)', sizeOf(dashFiles)],
  ] as const;
  console.log(`\nJavaScript shipped on first load (goal ≤ ${GOAL_KB} KB gzip)`);
  console.log('| what | files | raw KB | gzip KB | within goal |');
  console.log('|---|---:|---:|---:|---|');
  for (const [label, size] of rows) sizeRow(label, size);

  const breaks = lazyBoundaryBreaks(manifest, entry);
  const heavy = heavyIn(manifest, new Set([...loginFiles, ...dashFiles]));
  console.log('\nLazy boundaries (Vite manifest)');
  console.log('| check | result |');
  console.log('|---|---|');
  console.log(
    `| lazily imported modules in the entry's static graph | ${breaks.length === 0 ? 'none' : `NO: ${breaks.join(', ')}`} |`,
  );
  for (const { label } of HEAVY_LIBRARIES) {
    const hits = heavy.filter((h) => h.startsWith(label));
    console.log(`| ${label} in first-load JS | ${hits.length === 0 ? 'no' : `NO: ${hits.join(', ')}`} |`);
  }
  if (breaks.length > 0 || heavy.length > 0) process.exitCode = 1;

  const panel = await startPanel(ADMIN);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  let tenantId: string | undefined;
  try {
    // One account with no site (a site would start containers): its owner's home is measured next to the dashboard.
    const tenant = await panel.api<{ id: string }>('POST', '/tenants', { slug: 'bench', name: 'Bench', owner: OWNER });
    if (tenant.status !== 201) throw new Error(`bench tenant: HTTP ${tenant.status} ${tenant.text}`);
    tenantId = tenant.body.id;
    await measure(browser, panel, 'login'); // warm-up: the server's first answers, chromium's first process
    await measure(browser, panel, 'tenant-home');
    const results = {
      baseline: [] as number[],
      login: [] as number[],
      dashH1: [] as number[],
      dashData: [] as number[],
      dashReady: [] as number[],
      homeH1: [] as number[],
      homeReady: [] as number[],
    };
    const fetched = { login: new Set<string>(), dashboard: new Set<string>(), home: new Set<string>() };
    for (let i = 0; i < RUNS; i++) {
      results.baseline.push((await measure(browser, panel, 'baseline')).visible);
      const login = await measure(browser, panel, 'login');
      results.login.push(login.visible);
      login.scripts.forEach((f) => fetched.login.add(f));
      // Alternate which home goes first, so neither always gets the warmer server.
      const order: Kind[] = i % 2 === 0 ? ['dashboard', 'tenant-home'] : ['tenant-home', 'dashboard'];
      for (const kind of order) {
        const run = await measure(browser, panel, kind);
        if (kind === 'dashboard') {
          results.dashH1.push(run.visible);
          results.dashData.push(run.data!);
          results.dashReady.push(run.interactive!);
          run.scripts.forEach((f) => fetched.dashboard.add(f));
        } else {
          results.homeH1.push(run.visible);
          results.homeReady.push(run.interactive!);
          run.scripts.forEach((f) => fetched.home.add(f));
        }
      }
    }

    const inDist = (files: Set<string>) => [...files].filter((f) => fs.existsSync(path.join(DIST, f)));
    console.log(`\nJavaScript Chromium fetched until interactive (goal ≤ ${GOAL_KB} KB gzip)`);
    console.log('| what | files | raw KB | gzip KB | within goal |');
    console.log('|---|---:|---:|---:|---|');
    sizeRow('/login', sizeOf(inDist(fetched.login)));
    sizeRow('/ as operator (dashboard)', sizeOf(inDist(fetched.dashboard)));
    sizeRow('/ as account owner (tenant home)', sizeOf(inDist(fetched.home)));

    const base = median(results.baseline);
    console.log(
      `\nTime to interactive in Chromium on loopback, cold cache, median of ${RUNS} runs (ms from navigation start)`,
    );
    console.log('| page | median ms | min ms | max ms | × baseline |');
    console.log('|---|---:|---:|---:|---:|');
    const line = (label: string, values: number[]) =>
      console.log(
        `| ${label} | ${median(values).toFixed(0)} | ${Math.min(...values).toFixed(0)} | ${Math.max(...values).toFixed(0)} | ${(median(values) / base).toFixed(1)} |`,
      );
    line('baseline: GET /api/v1/health loaded', results.baseline);
    line('login: Email field enabled', results.login);
    line('dashboard: h1 visible', results.dashH1);
    line('dashboard: tenant count loaded', results.dashData);
    line('dashboard: interactive (h1, nothing loading)', results.dashReady);
    line('tenant home: h1 visible', results.homeH1);
    line('tenant home: interactive (h1, nothing loading)', results.homeReady);

    console.log(`\nTenant home vs admin dashboard, same run (goal ≤ ${TTI_RATIO_GOAL}×)`);
    console.log('| measure | tenant home ms | dashboard ms | ratio | within goal |');
    console.log('|---|---:|---:|---:|---|');
    const ratio = (label: string, home: number[], dash: number[]) => {
      const r = median(home) / median(dash);
      console.log(
        `| ${label} | ${median(home).toFixed(0)} | ${median(dash).toFixed(0)} | ${r.toFixed(2)}× | ${r <= TTI_RATIO_GOAL ? 'yes' : 'NO'} |`,
      );
    };
    ratio('h1 visible', results.homeH1, results.dashH1);
    ratio('interactive', results.homeReady, results.dashReady);
  } finally {
    await browser.close();
    try {
      if (tenantId) await removeTenant(panel, tenantId);
    } finally {
      await panel.stop();
      removeDataDir(panel.dataDir);
    }
  }
}

const guard = setTimeout(() => {
  console.error('web bench: still running after 5 minutes; stopping');
  process.exit(1);
}, 5 * 60_000);
guard.unref();
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
