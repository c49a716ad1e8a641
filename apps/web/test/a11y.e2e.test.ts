import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSession, CHROMIUM_ARGS, REPO_ROOT, startPanel, type Panel } from './panel';

// Accessibility of every main page in real Chromium against the built panel: axe-core finds no serious or
// critical violation in light or dark, on a desktop (1280 px) or a phone (375 px), for an operator and for
// an account owner. Each page is also kept as a screenshot in test-results/console/a11y-*.png.

const ADMIN = { email: 'admin@berth.localhost', password: 'admin-password-a11y-1' };
const OWNER = { email: 'owner@acme.test', password: 'owner-password-a11y-1' };
const SHOTS = path.join(REPO_ROOT, 'test-results/console');
const WIDTHS = [1280, 375] as const;
const SCHEMES = ['light', 'dark'] as const;
/** AXE_TAGS are the rule sets run: WCAG 2.0–2.2 A and AA, and axe's best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

declare global {
  interface Window {
    axe: typeof axe;
  }
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; summary: string }[];
}

/**
 * MainPage is a view to check: its path (`:site` and `:tenant` are the ids made in setup) and its h1
 * (none for a home whose title depends on the account: any h1 but "Not found").
 */
interface MainPage {
  name: string;
  path: string;
  heading?: string;
}

const ADMIN_PAGES: MainPage[] = [
  { name: 'dashboard', path: '/', heading: 'Dashboard' },
  { name: 'tenants', path: '/tenants', heading: 'Tenants' },
  { name: 'tenant', path: '/tenants/:tenant', heading: 'acme' },
  { name: 'plans', path: '/plans', heading: 'Plans' },
  { name: 'sites', path: '/sites', heading: 'Sites' },
  { name: 'site', path: '/sites/:site', heading: 'blog' },
  { name: 'site-domains', path: '/sites/:site?tab=domains', heading: 'blog' },
  { name: 'files', path: '/sites/:site?tab=files', heading: 'blog' },
  { name: 'domains', path: '/domains', heading: 'Domains' },
  { name: 'databases', path: '/databases', heading: 'Databases' },
  { name: 'backups', path: '/backups', heading: 'Backups' },
  { name: 'cron', path: '/cron', heading: 'Cron jobs' },
  { name: 'sftp', path: '/sftp', heading: 'SFTP' },
  { name: 'events', path: '/events', heading: 'Events' },
];

const TENANT_PAGES: MainPage[] = [
  { name: 'home', path: '/' },
  { name: 'sites', path: '/sites', heading: 'Sites' },
  { name: 'site', path: '/sites/:site', heading: 'blog' },
  { name: 'site-domains', path: '/sites/:site?tab=domains', heading: 'blog' },
  { name: 'files', path: '/sites/:site?tab=files', heading: 'blog' },
  { name: 'databases', path: '/databases', heading: 'Databases' },
  { name: 'backups', path: '/backups', heading: 'Backups' },
  { name: 'cron', path: '/cron', heading: 'Cron jobs' },
  { name: 'sftp', path: '/sftp', heading: 'SFTP' },
  { name: 'events', path: '/events', heading: 'Events' },
];

let panel: Panel;
let browser: Browser;
let siteId = '';
let tenantId = '';

/** runAxe injects axe-core into the page and answers its violations, with what is needed to find each node. */
async function runAxe(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary ?? '' })),
    }));
  }, AXE_TAGS);
}

/** describeViolations prints serious and critical violations one per block: the rule, where, and why. */
function describeViolations(where: string, violations: Violation[]): string {
  return violations
    .map((v) =>
      [
        `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.helpUrl}`,
        ...v.nodes.map((n) => `    at ${n.target}\n      ${n.html}\n      ${n.summary.replaceAll('\n', '\n      ')}`),
      ].join('\n'),
    )
    .join('\n');
}

/** settle waits until the view has its h1 and its data: no request in flight, no "Loading …" line left. */
async function settle(page: Page, heading: string | undefined): Promise<void> {
  const h1 = page.getByRole('heading', { level: 1 });
  await (heading === undefined ? h1 : h1.filter({ hasText: new RegExp(`^${heading}$`) })).waitFor();
  expect(await h1.textContent()).not.toBe('Not found');
  await page.waitForLoadState('networkidle');
  await expect.poll(() => page.getByText(/^Loading .*…$/).count(), { timeout: 15_000 }).toBe(0);
}

/**
 * checkPage opens `target` at each width and colour scheme, keeps a screenshot, and answers the serious and
 * critical violations axe finds, described readably (empty when there are none).
 */
async function checkPage(page: Page, role: string, target: MainPage): Promise<string> {
  const url = `${panel.url}${target.path.replace(':site', siteId).replace(':tenant', tenantId)}`;
  const found: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 1280 ? 900 : 812 });
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await page.goto(url);
      await settle(page, target.heading);
      expect(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme)).toBe(colorScheme);
      await page.screenshot({
        path: path.join(SHOTS, `a11y-${role}-${target.name}-${width}-${colorScheme}.png`),
        fullPage: true,
      });
      const serious = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      if (serious.length > 0)
        found.push(describeViolations(`${role} ${target.name} ${width}px ${colorScheme}`, serious));
    }
  }
  return found.join('\n');
}

async function signedIn(who: { email: string; password: string }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${panel.url}/login`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
  return { context, page };
}

/** removeTenants terminates the tenant made here and waits until its containers are removed. */
async function removeTenants(): Promise<void> {
  const tenants = (await panel.api<{ items: { id: string }[] }>('GET', '/tenants?limit=500')).body;
  for (const tenant of tenants.items) {
    await panel.api('DELETE', `/tenants/${tenant.id}`);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const removed = (
        await panel.api<{ total: number }>('GET', `/events?tenantId=${tenant.id}&action=tenant.runtime-remove`)
      ).body;
      if (removed.total > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  panel = await startPanel(ADMIN);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  // One account with one site and a domain, so the lists, the site page and the domains table have rows.
  const tenant = await panel.api<{ id: string }>('POST', '/tenants', { slug: 'acme', name: 'Acme Ltd', owner: OWNER });
  expect(tenant.status).toBe(201);
  tenantId = tenant.body.id;
  const owner = await apiSession(panel.url, OWNER.email, OWNER.password);
  const site = await owner('POST', '/sites', { name: 'blog', runtime: { kind: 'php' } });
  expect(site.status).toBe(201);
  siteId = (site.data as { id: string }).id;
  expect((await owner('POST', `/sites/${siteId}/domains`, { hostname: 'blog.acme.test' })).status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  if (panel) {
    try {
      await removeTenants();
    } finally {
      await panel.stop();
    }
  }
});

describe('accessibility (axe-core) in Chromium', () => {
  it('the sign-in page has no serious or critical violation', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      expect(await checkPage(page, 'signed-out', { name: 'login', path: '/login', heading: 'Sign in to Berth' })).toBe(
        '',
      );
    } finally {
      await context.close();
    }
  });

  describe('as an operator', () => {
    let session: { context: BrowserContext; page: Page };
    beforeAll(async () => {
      session = await signedIn(ADMIN);
    });
    afterAll(() => session?.context.close());
    for (const target of ADMIN_PAGES) {
      it(`${target.name} has no serious or critical violation`, async () => {
        expect(await checkPage(session.page, 'admin', target)).toBe('');
      });
    }
  });

  describe('as an account owner', () => {
    let session: { context: BrowserContext; page: Page };
    beforeAll(async () => {
      session = await signedIn(OWNER);
    });
    afterAll(() => session?.context.close());
    for (const target of TENANT_PAGES) {
      it(`${target.name} has no serious or critical violation`, async () => {
        expect(await checkPage(session.page, 'tenant', target)).toBe('');
      });
    }
  });
});
