import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observe } from '@berth/runtime';
import { BerthBillingClient } from '../../../packages/billing-client/src/index.js';
import { PanelProcess } from './panel-process.js';

/**
 * The account lifecycle a billing system runs, end to end: the built panel as its own process, the real
 * Docker engine and managed Caddy, and only the typed billing client with a `billing` token.
 */

describe('billing lifecycle through the real API (billing token, Docker, Caddy)', () => {
  let panel: PanelProcess;
  let client: BerthBillingClient;
  let accountId: string;
  const host = 'shop.whmcs.test';

  const waitSite = (status: string) =>
    panel.waitFor(
      `site ${status}`,
      async () => {
        const account = await client.getAccount(accountId);
        if (account.sites[0]?.status === 'failed' && status !== 'failed') throw new Error('site failed');
        return account.sites[0]?.status === status ? account : undefined;
      },
      120_000,
    );
  const memoryLimits = async () => {
    const driver = panel.driver();
    const seen = await observe(driver, { tenantId: accountId });
    return Promise.all(
      seen.containers.map(async (c) => (await driver.docker.getContainer(c.id).inspect()).HostConfig.Memory ?? 0),
    );
  };

  beforeAll(async () => {
    panel = await PanelProcess.start();
    const token = await panel.api<{ secret: string }>('POST', '/tokens', { name: 'whmcs', scope: 'billing' });
    expect(token.status).toBe(201);
    client = new BerthBillingClient({ baseUrl: panel.base, token: token.body.secret });
  });

  afterAll(async () => {
    await panel?.stop();
  });

  it('creates, serves, suspends, unsuspends, re-plans and terminates an account leaving nothing behind', async () => {
    const created = await client.createAccount(
      {
        username: 'whmcs1',
        email: 'client@whmcs.test',
        password: 'client-password-123',
        site: { name: 'www', runtime: { kind: 'php', version: '8.4' }, domain: host },
      },
      { idempotencyKey: 'whmcs-order-1' },
    );
    accountId = created.id;
    expect(created).toMatchObject({ username: 'whmcs1', primaryDomain: host, status: 'active' });
    // WHMCS retried after a timeout: the same account, not a second one.
    expect(
      (
        await client.createAccount(
          {
            username: 'whmcs1',
            email: 'client@whmcs.test',
            password: 'client-password-123',
            site: { name: 'www', runtime: { kind: 'php', version: '8.4' }, domain: host },
          },
          { idempotencyKey: 'whmcs-order-1' },
        )
      ).id,
    ).toBe(accountId);

    await waitSite('live');
    await panel.waitFor('site over HTTPS', async () => (await panel.https(host, '/')).status === 200, 60_000);

    expect((await client.suspendAccount(accountId)).status).toBe('suspended');
    await panel.waitFor('suspended page', async () => {
      const res = await panel.https(host, '/');
      return res.status === 503 && /suspended/i.test(res.body);
    });

    expect((await client.unsuspendAccount(accountId)).status).toBe('active');
    await waitSite('live');
    await panel.waitFor('site back', async () => (await panel.https(host, '/')).status === 200, 60_000);

    const before = await memoryLimits();
    const plan = await panel.api<{ id: string }>('POST', '/plans', {
      name: 'Business',
      maxSites: 5,
      maxDomains: 5,
      cpuMillicores: 1500,
      memoryMb: 1536,
      diskMb: 5000,
      bandwidthGb: 100,
      pidsLimit: 512,
      phpVersions: ['8.2', '8.4'],
      phpMaxMemoryMb: 256,
      phpMaxUploadMb: 64,
      phpMaxExecSeconds: 60,
    });
    expect(plan.status).toBe(201);
    expect((await client.changePlan(accountId, plan.body.id)).planName).toBe('Business');
    await panel.waitFor(
      'containers re-limited',
      async () => {
        const after = await memoryLimits();
        return after.length > 0 && after.join() !== before.join();
      },
      60_000,
    );
    expect((await panel.https(host, '/')).status).toBe(200);

    const usage = await client.usage(accountId);
    expect(usage.bandwidth.usedBytes).toBeGreaterThan(0); // the HTTPS requests above, from Caddy's access log
    expect(usage.disk.limitBytes).toBe(5000 * 1024 * 1024);

    await client.terminateAccount(accountId);
    await panel.waitFor('nothing left in Docker', async () => {
      const seen = await observe(panel.driver(), { tenantId: accountId });
      return seen.containers.length === 0 && seen.networks.length === 0 && seen.volumes.length === 0;
    });
    await panel.waitFor(
      'hostname gone from the edge',
      async () => (await panel.https(host, '/').catch(() => ({ status: 0 }))).status !== 200,
    );
    expect((await client.listAccounts({ q: 'whmcs1' })).total).toBe(0);
  });
});
