import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSession, CHROMIUM_ARGS, PanelProcess, REPO_ROOT } from './panel';

// A tenant's home in real Chromium against the real built panel, with its edge: the account owner signs in,
// reads its usage against the plan, and visits its site through the link, served by Caddy.

const ADMIN = { email: 'admin@berth.localhost', password: 'admin-password-e2e-1' };
const OWNER = { email: 'owner@acme.test', password: 'owner-password-e2e-1' };
const HOST = 'shop.acme.test';
const SHOTS = path.join(REPO_ROOT, 'test-results/home');

interface Site {
  id: string;
  status: string;
  url: string | null;
}

let panel: PanelProcess;
let context: BrowserContext;
let page: Page;
let profile = '';
let site: Site;
let tenantId = '';
let plan: { maxSites: number; maxDomains: number };

async function heading(name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

describe('a tenant home in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    // The edge is on (unlike the console test): the visit link must reach the site through Caddy.
    panel = await PanelProcess.start({ BERTH_LOG_LEVEL: 'warn' }, { admin: ADMIN });
    const tenant = await panel.api<{ id: string; planId: string }>('POST', '/tenants', {
      slug: 'acme',
      name: 'Acme',
      owner: OWNER,
    });
    expect(tenant.status).toBe(201);
    tenantId = tenant.body.id;
    plan = (await panel.api<{ maxSites: number; maxDomains: number }>('GET', `/plans/${tenant.body.planId}`)).body;

    const owner = await apiSession(panel.url, OWNER.email, OWNER.password);
    const created = await owner('POST', '/sites', { name: 'shop', runtime: { kind: 'php', version: '8.4' } });
    expect(created.status).toBe(201);
    const id = (created.data as Site).id;
    expect((await owner('POST', `/sites/${id}/domains`, { hostname: HOST })).status).toBe(201);
    site = await panel.waitFor(
      'the site live',
      async () => {
        const res = await panel.api<Site>('GET', `/sites/${id}`);
        return res.body.status === 'live' ? res.body : undefined;
      },
      180_000,
    );
    // What visitors get at the address: the site's default page, through the edge.
    await panel.waitFor(
      `${HOST} served`,
      async () => (await panel.https(HOST, '/')).body.includes('This site runs PHP 8.4.'),
      60_000,
    );

    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-home-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      // The site's name resolves to this machine, where the edge listens; its certificate is Caddy's local CA's.
      args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    if (panel) {
      try {
        if (tenantId) {
          await panel.api('DELETE', `/tenants/${tenantId}`);
          await panel.waitFor(
            'the tenant removed',
            async () =>
              (await panel.api<{ total: number }>('GET', `/events?tenantId=${tenantId}&action=tenant.runtime-remove`))
                .body.total > 0,
            60_000,
          );
        }
      } finally {
        await panel.stop();
      }
    }
  }, 120_000);

  it('the owner signs in to its home and reads its usage against the plan', async () => {
    expect(site.url).toBe(`https://${HOST}:${panel.httpsPort}`);
    await page.goto(`${panel.url}/login`);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Home');

    const sites = page.getByTestId('usage-Sites');
    await sites.waitFor();
    expect(await sites.textContent()).toBe(`1 of ${plan.maxSites} ${plan.maxSites === 1 ? 'site' : 'sites'}`);
    expect(await page.getByTestId('usage-Domains').textContent()).toBe(
      `1 of ${plan.maxDomains} ${plan.maxDomains === 1 ? 'domain' : 'domains'}`,
    );
    expect(await page.getByTestId('usage-Databases').textContent()).toMatch(/^0 of \d+ databases?$/);
    expect(await page.getByTestId('usage-Disk').textContent()).toMatch(/^[\d.]+ (B|KB|MB|GB) of [\d.]+ (MB|GB|TB)$/);
    expect(await page.getByTestId('usage-Bandwidth this month').textContent()).toMatch(/ of [\d.]+ (GB|TB)$/);

    const card = page.getByRole('listitem', { name: 'shop' });
    await card.getByTestId('site-status').getByText('Live').waitFor();
    await card.getByText('Certificate:').waitFor();
    // The recent activity says who made the site, by email, in words.
    await page.getByTestId('event-summary').filter({ hasText: 'Created site shop' }).first().waitFor();
    await page.getByTestId('event-actor').filter({ hasText: OWNER.email }).first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'home.png'), fullPage: true });
  });

  it('visits its site through the link and sees what the edge serves', async () => {
    const link = page.getByRole('listitem', { name: 'shop' }).getByRole('link', { name: /^Visit site .+, site shop$/ });
    expect(await link.getAttribute('href')).toBe(`https://${HOST}:${panel.httpsPort}`);
    const [visit] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await visit.waitForLoadState('domcontentloaded');
    expect(new URL(visit.url()).host).toBe(`${HOST}:${panel.httpsPort}`);
    await visit.getByText('This site runs PHP 8.4.').waitFor();
    await visit.screenshot({ path: path.join(SHOTS, 'visit.png'), fullPage: true });
    await visit.close();
  });

  it('reads the overview of the site with its address, and filters its activity by kind', async () => {
    await page.getByRole('listitem', { name: 'shop' }).getByRole('link', { name: 'shop', exact: true }).click();
    await heading('shop');
    const region = page.getByRole('region', { name: 'Address and certificate' });
    expect(await region.getByRole('link', { name: /^Visit site .+, site shop$/ }).getAttribute('href')).toBe(
      `https://${HOST}:${panel.httpsPort}`,
    );

    await page.getByRole('link', { name: 'Events' }).click();
    await heading('Events');
    await page.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await page.getByRole('option', { name: 'Domains', exact: true }).click();
    await page
      .getByTestId('event-summary')
      .filter({ hasText: `Created domain ${HOST}` })
      .first()
      .waitFor();
    await expect
      .poll(async () => (await page.getByTestId('event-summary').allTextContents()).every((t) => /domain/.test(t)))
      .toBe(true);
  });
});
