/**
 * The console's first load: JavaScript shipped (gzip and raw KB, from the built index.html's
 * script/modulepreload graph plus the first view's lazy chunks, via Vite's manifest) against the 200 KB
 * gzip goal, and time to interactive in Debian's Chromium on loopback against the real built panel:
 *   login      navigation start → the Email field is visible and enabled
 *   dashboard  navigation start → the "Dashboard" h1 is visible, and → the tenant count is loaded
 * Baseline in the same run: navigation start → load of GET /api/v1/health (same server, no console).
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
const ADMIN = { email: 'bench@berth.localhost', password: 'bench-password-1234' };

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measure(
  browser: Browser,
  panel: Panel,
  kind: 'baseline' | 'login' | 'dashboard',
): Promise<{ visible: number; data?: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    if (kind === 'dashboard') {
      const login = await context.request.post(`${panel.url}/api/v1/auth/login`, { data: ADMIN });
      if (!login.ok()) throw new Error(`bench login failed: ${login.status()}`);
    }
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    if (kind === 'baseline') {
      await page.goto(`${panel.url}/api/v1/health`, { waitUntil: 'load' });
      const load = await page.evaluate(
        () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
      );
      return { visible: load };
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
      return { visible: (await at.jsonValue()) as number };
    }
    const heading = await page.waitForFunction(
      () => {
        const h1 = document.querySelector('h1');
        return h1?.textContent === 'Dashboard' && h1.getBoundingClientRect().height > 0 ? performance.now() : false;
      },
      undefined,
      { polling: 'raf' },
    );
    const data = await page.waitForFunction(
      () => {
        const count = document.querySelector('[data-testid="count-Tenants"]');
        return count && /^\d+$/.test(count.textContent ?? '') ? performance.now() : false;
      },
      undefined,
      { polling: 'raf' },
    );
    return { visible: (await heading.jsonValue()) as number, data: (await data.jsonValue()) as number };
  } finally {
    await context.close();
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
  const rows = [
    ['index.html scripts + modulepreload', sizeOf(html)],
    ['entry static graph (manifest)', sizeOf(entry)],
    ...(libraries.length > 0 ? [['lazy library chunks', sizeOf(libraries)] as const] : []),
    ['first load of /login', sizeOf(loginFiles)],
    ['first load of / (dashboard)', sizeOf(dashFiles)],
  ] as const;
  console.log(`\nJavaScript shipped on first load (goal ≤ ${GOAL_KB} KB gzip)`);
  console.log('| what | files | raw KB | gzip KB | within goal |');
  console.log('|---|---:|---:|---:|---|');
  for (const [label, size] of rows) {
    console.log(
      `| ${label} | ${size.count} | ${kb(size.raw)} | ${kb(size.gzip)} | ${size.gzip / 1024 <= GOAL_KB ? 'yes' : 'NO'} |`,
    );
  }

  const panel = await startPanel(ADMIN);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    // No tenants are made: a tenant starts containers, and the bench must leave the Docker engine alone.
    await measure(browser, panel, 'login'); // warm-up: the server's first answers, chromium's first process
    const results = {
      baseline: [] as number[],
      login: [] as number[],
      dashH1: [] as number[],
      dashData: [] as number[],
    };
    for (let i = 0; i < RUNS; i++) {
      results.baseline.push((await measure(browser, panel, 'baseline')).visible);
      results.login.push((await measure(browser, panel, 'login')).visible);
      const dash = await measure(browser, panel, 'dashboard');
      results.dashH1.push(dash.visible);
      results.dashData.push(dash.data!);
    }
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
  } finally {
    await browser.close();
    await panel.stop();
    removeDataDir(panel.dataDir);
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
