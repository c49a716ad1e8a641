import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSession, CHROMIUM_ARGS, REPO_ROOT, startPanel, type Panel } from './panel';

// The whole console in real Chromium against the real built panel: an operator sets up a plan and two
// tenants, an account owner runs a PHP site, and another account owner cannot see it.

/**
 * EXPECTED_NEW_SITE_STATUS is the status a new site with a domain reaches in the list, without a reload (the
 * list polls while a site is pending or provisioning). It was 'pending' until the provisioning engine
 * landed; with the reconciler and the real Docker engine the site goes live.
 */
const EXPECTED_NEW_SITE_STATUS = 'live';

const ADMIN = { email: 'admin@berth.localhost', password: 'admin-password-e2e-1' };
const OWNER = { email: 'owner@acme.test', password: 'owner-password-e2e-1' };
const OTHER = { email: 'owner@globex.test', password: 'other-password-e2e-1' };
const SHOTS = path.join(REPO_ROOT, 'test-results/console');

let panel: Panel;
let context: BrowserContext;
let page: Page;
let siteId = '';
let profile = '';

async function shot(name: string, width = 1280): Promise<void> {
  if (width !== 1280) {
    // A phone opens the page at its width (no desktop layout mid-transition).
    await page.setViewportSize({ width, height: 812 });
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
  }
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  if (width !== 1280) await page.setViewportSize({ width: 1280, height: 900 });
}

async function heading(name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

async function pick(label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function signIn(who: { email: string; password: string }): Promise<void> {
  // Each sign-in starts signed out, whatever the previous step left behind.
  await context.clearCookies();
  await page.goto(`${panel.url}/login`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await heading('Sign in to Berth').catch(() => page.getByRole('heading', { name: 'Sign in to Berth' }).waitFor());
}

/** expectSiteStatus polls the live sites list until the row of `name` shows `status`. */
async function expectSiteStatus(name: string, status: string): Promise<void> {
  const row = page.locator(`[data-site-name="${name}"]`);
  await expect
    .poll(() => row.locator('[data-testid="site-status"]').getAttribute('data-status'), {
      timeout: 120_000,
      interval: 1_000,
    })
    .toBe(status);
}

/**
 * removeTenants terminates every tenant the test made and waits until the panel reports their containers
 * removed (`tenant.runtime-remove`), so nothing is left running on the shared Docker engine.
 */
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

describe('web console in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    panel = await startPanel(ADMIN);
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    if (panel) {
      try {
        await removeTenants();
      } finally {
        // Also removes whatever the panel left in Docker, and its data dir.
        await panel.stop();
      }
    }
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('the admin signs in and sees the dashboard with health', async () => {
    await page.goto(`${panel.url}/`);
    await heading('Sign in to Berth');
    await shot('login');
    await signIn(ADMIN);
    await heading('Dashboard');
    await page.getByText('Docker engine').waitFor();
    await shot('dashboard');
    await shot('dashboard-375', 375);
  });

  it('the admin creates a plan', async () => {
    await page.getByRole('link', { name: 'Plans' }).click();
    await heading('Plans');
    await page.getByRole('button', { name: 'Create plan' }).click();
    // The shared schema refuses an empty name at the field before anything is sent.
    await page.getByRole('dialog').getByRole('button', { name: 'Create plan' }).click();
    await page.getByText('Enter a name.').waitFor();
    await page.getByLabel('Plan name').fill('Starter e2e');
    await page.getByRole('dialog').getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('cell', { name: 'Starter e2e', exact: true }).waitFor();
    await shot('plans');
  });

  it('the admin creates a tenant on that plan with its owner', async () => {
    await page.getByRole('link', { name: 'Tenants' }).click();
    await heading('Tenants');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Slug').fill('acme');
    await dialog.getByLabel(/^Name/).fill('Acme Ltd');
    await pick('Plan', 'Starter e2e');
    await dialog.getByLabel('Owner email').fill(OWNER.email);
    await dialog.getByLabel('Owner password').fill('short');
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    await dialog.getByText('A password is at least 12 characters.').waitFor();
    await dialog.getByLabel('Owner password').fill(OWNER.password);
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    await heading('acme');
    await page.getByText(OWNER.email).first().waitFor();
    await shot('tenant-detail');

    // The second account is set up over the API (as the admin): it only serves the isolation check at the end.
    const created = await panel.api('POST', '/tenants', { slug: 'globex', name: 'Globex', owner: OTHER });
    expect(created.status).toBe(201);

    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('link', { name: 'acme', exact: true }).waitFor();
    await page.getByRole('link', { name: 'globex', exact: true }).waitFor();
    await shot('tenants');
  });

  it('the admin mints an API token whose secret is shown once with a copy button', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click();
    await heading('API tokens');
    await page.getByLabel(/^Name/).fill('billing sync');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByTestId('token-secret');
    await secret.waitFor();
    expect(await secret.locator('pre, code').first().textContent()).toMatch(/^berth_/);
    await secret.getByRole('button', { name: 'Copy secret' }).waitFor();
    await shot('tokens');
    await secret.getByRole('button', { name: 'I have stored it' }).click();
    await expect.poll(() => secret.count()).toBe(0);
    await page.getByRole('cell', { name: 'billing sync', exact: true }).waitFor();

    await page.getByRole('link', { name: 'Events' }).click();
    await heading('Events');
    await page
      .getByRole('cell', { name: /tenant\.create/ })
      .first()
      .waitFor();
    await shot('events');
    await signOut();
  });

  it('the tenant owner creates a PHP 8.2 site with a domain and sees it listed, its status turning live without a reload', async () => {
    await signIn(OWNER);
    // A tenant lands on its home (usage against the plan); its sites are one link away.
    await page.getByRole('link', { name: 'Sites' }).click();
    await heading('Sites');
    await page.getByText('No sites yet').waitFor();
    await page.getByRole('button', { name: 'Create site' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Site name').fill('Blog!');
    await dialog.getByRole('button', { name: 'Create site' }).click();
    await dialog.getByText('Use lowercase letters, digits and hyphens').waitFor();
    await dialog.getByLabel('Site name').fill('blog');
    await pick('Version', '8.2');
    await dialog.getByRole('button', { name: 'Create site' }).click();
    await heading('blog');
    siteId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByText('PHP 8.2').first().waitFor();

    await page.getByRole('tab', { name: 'Domains' }).click();
    await page.getByLabel('Hostname').fill('blog.acme.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByTestId('domains-table').getByText('blog.acme.test').waitFor();
    // A second domain of the same hostname is refused by the API; the message lands at the field.
    await page.getByLabel('Hostname').fill('blog.acme.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByText('Already in use.').waitFor();
    await page.getByLabel('Hostname').fill('not a hostname');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByText(/may only contain letters, digits, hyphens and dots/).waitFor();
    await shot('site-domains');

    await page.getByRole('link', { name: 'Sites' }).click();
    await heading('Sites');
    const row = page.locator('[data-site-name="blog"]');
    expect(await row.getByTestId('site-runtime').textContent()).toBe('PHP 8.2');
    await row.getByText('blog.acme.test').waitFor();
    await expectSiteStatus('blog', EXPECTED_NEW_SITE_STATUS);
    await shot('sites');
    await shot('sites-375', 375);
  });

  it('the tenant owner switches the site to PHP 8.4', async () => {
    await page.locator('[data-site-name="blog"]').getByRole('link', { name: 'blog' }).click();
    await heading('blog');
    await page.getByRole('tab', { name: 'PHP' }).click();
    await page.getByText('8.4', { exact: true }).click();
    await page.getByRole('button', { name: 'Switch to 8.4' }).click();
    await page.getByText('Currently 8.4.').waitFor();
    await shot('site-php');
    await page.getByRole('tab', { name: 'Overview' }).click();
    expect(await page.getByTestId('overview-runtime').textContent()).toBe('PHP 8.4');
    await page.getByRole('link', { name: 'Sites' }).click();
    await expect
      .poll(() => page.locator('[data-site-name="blog"]').getByTestId('site-runtime').textContent())
      .toBe('PHP 8.4');
  });

  it('the tenant owner uploads a file with the file manager', async () => {
    const call = await apiSession(panel.url, OWNER.email, OWNER.password);
    const filesApi = await call('GET', `/sites/${siteId}/files`);
    await page.goto(`${panel.url}/sites/${siteId}?tab=files`);
    await heading('blog');
    expect(filesApi.status).toBe(200);
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Upload a file' }).click(),
    ]);
    await chooser.setFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from e2e\n') });
    await page.getByRole('link', { name: 'hello.txt' }).waitFor();
    await shot('site-files');
    await signOut();
  });

  it('another tenant cannot see the first tenant’s site and gets a not-found page on its URL', async () => {
    await signIn(OTHER);
    await page.getByRole('link', { name: 'Sites' }).click();
    await heading('Sites');
    await page.getByText('No sites yet').waitFor();
    expect(await page.locator('[data-site-name="blog"]').count()).toBe(0);
    await page.goto(`${panel.url}/sites/${siteId}`);
    await heading('Not found');
    await page.getByText('This site does not exist, or you do not have access to it.').waitFor();
    await shot('site-not-found');
    await page.goto(`${panel.url}/tenants`);
    await heading('Not found');
  });

  it('a part of the console that fails to load reloads once by itself, then shows the error page with a Reload', async () => {
    await signIn(ADMIN);
    // Every download of the Plans page's code fails (as after a deploy that replaced it, on a dropped connection).
    let refused = 0;
    await page.route(/\/assets\/PlansPage-[\w-]+\.js$/, (route) => {
      refused++;
      return route.abort('connectionreset');
    });
    await page.getByRole('link', { name: 'Plans' }).click();
    // The first failure reloads the page by itself; the second shows the page instead of reloading in a loop.
    await expect.poll(() => refused, { timeout: 15_000 }).toBe(2);
    await heading('This page could not be loaded');
    await page.getByRole('button', { name: 'Reload' }).waitFor();
    expect(refused).toBe(2);
    await shot('chunk-error');
    await page.unroute(/\/assets\/PlansPage-[\w-]+\.js$/);
    await page.getByRole('button', { name: 'Reload' }).click();
    await heading('Plans');
    await signOut();
  });
});
