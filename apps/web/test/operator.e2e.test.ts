import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, REPO_ROOT, startPanel, type Panel } from './panel';

// Operator tools in real Chromium against the real built panel: an operator suspends an account with a
// reason, signs in as its owner (and sees what the owner sees, the reason included), returns to their own
// account, and both steps are in the audit trail with the operator as actor.

const ADMIN = { email: 'admin@berth.localhost', password: 'admin-password-e2e-1' };
const OWNER = { email: 'owner@initech.test', password: 'owner-password-e2e-1' };
const REASON = 'Invoice 1042 is 30 days overdue';
const SHOTS = path.join(REPO_ROOT, 'test-results/operator');

let panel: Panel;
let context: BrowserContext;
let page: Page;
let profile = '';
let tenantId = '';
let adminId = '';

interface EventPage {
  total: number;
  items: { actor: string; action: string; details: Record<string, unknown> | null }[];
}

async function shot(name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function heading(name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

/** events reads the tenant's audit trail of one action through the API, as the panel's own admin session. */
async function events(action: string): Promise<EventPage> {
  const res = await panel.api<EventPage>('GET', `/events?tenantId=${tenantId}&action=${action}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('operator tools in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    panel = await startPanel(ADMIN);
    const created = await panel.api<{ id: string }>('POST', '/tenants', {
      slug: 'initech',
      name: 'Initech',
      owner: OWNER,
    });
    expect(created.status).toBe(201);
    tenantId = created.body.id;
    adminId = (await panel.api<{ user: { id: string } }>('GET', '/me')).body.user.id;
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-operator-'));
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
        if (tenantId) {
          await panel.api('DELETE', `/tenants/${tenantId}`);
          const deadline = Date.now() + 60_000;
          while (Date.now() < deadline && (await events('tenant.runtime-remove')).total === 0)
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
      } finally {
        await panel.stop();
      }
    }
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('the operator signs in and suspends the account with a reason', async () => {
    await page.goto(`${panel.url}/login`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').filter({ hasText: ADMIN.email }).waitFor();

    await page.goto(`${panel.url}/tenants/${tenantId}`);
    await heading('initech');
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Suspend initech?' });
    await dialog.getByLabel(/^Reason/).fill(REASON);
    await dialog.getByRole('button', { name: 'Suspend', exact: true }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await page.getByTestId('tenant-suspended-reason').filter({ hasText: REASON }).waitFor();
    await shot('tenant-suspended');
    const suspended = await events('tenant.suspend');
    expect(suspended.items[0]?.details).toMatchObject({ reason: REASON });
  });

  it('the operator signs in as the tenant, sees its banners on every page, and returns', async () => {
    await page.getByRole('button', { name: 'Sign in as this tenant' }).click();
    const confirm = page.getByRole('dialog', { name: 'Sign in as initech?' });
    await confirm.getByText(OWNER.email).waitFor();
    await confirm.getByRole('button', { name: 'Sign in as this tenant' }).click();

    const banner = page.getByTestId('impersonation-banner');
    await banner.filter({ hasText: `You are signed in as Initech by ${ADMIN.email}.` }).waitFor();
    await page.getByTestId('signed-in-as').filter({ hasText: OWNER.email }).waitFor();
    await page
      .getByTestId('suspension-banner')
      .filter({ hasText: `Your account is suspended: ${REASON}. Contact your provider.` })
      .waitFor();
    // The owner's menu, not the operator's: no Tenants entry.
    await expect
      .poll(() => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).count())
      .toBe(0);
    await shot('impersonating');

    // Another page of the owner's console carries the banner too.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await heading('Events');
    await banner.waitFor();
    const started = await events('tenant.impersonation-started');
    expect(started.total).toBe(1);
    expect(started.items[0]?.actor).toBe(`user:${adminId}`);

    await banner.getByRole('button', { name: 'Return to your account' }).click();
    await heading('initech');
    await page.getByTestId('signed-in-as').filter({ hasText: ADMIN.email }).waitFor();
    await expect.poll(() => banner.count()).toBe(0);
    await shot('returned');

    const ended = await events('tenant.impersonation-ended');
    expect(ended.total).toBe(1);
    expect(ended.items[0]).toMatchObject({ actor: `user:${adminId}`, details: { via: 'return', returned: true } });
    // Back as the operator: the tenants list answers, and the account can be unsuspended.
    await page.getByRole('button', { name: 'Unsuspend' }).click();
    await expect.poll(() => page.getByTestId('tenant-suspended-reason').count()).toBe(0);
    expect((await events('tenant.unsuspend')).total).toBe(1);
  });

  it('the operator resets the owner password, shown once, and the owner signs in with it', async () => {
    await page.getByRole('button', { name: 'Reset owner password' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    const secret = dialog.getByLabel('New owner password');
    await secret.waitFor();
    const password = (await secret.textContent())?.trim() ?? '';
    expect(password).toMatch(/^[a-zA-Z2-9]{20}$/);
    await dialog.getByRole('button', { name: 'I have stored it' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect((await events('user.password-reset')).total).toBe(1);

    const login = await fetch(`${panel.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: OWNER.email, password }),
    });
    expect(login.status).toBe(200);
  });
});
