import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaDesiredStore } from '../src/control/desired-store.js';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher.js';
import { checkWebhookTarget } from '../src/webhooks/webhook-target.js';
import {
  parseWebhook,
  verifyWebhookSignature,
  WebhookSignatureError,
} from '../../../packages/billing-client/src/index.js';
import { ADMIN, bearer, call, login, startPanel, type Caller, type TestPanel } from './helpers.js';

/**
 * Webhooks end to end inside one process: a real node:http receiver on 127.0.0.1, the real dispatcher
 * reading the Event table, real signatures checked with the billing client's verifier.
 */

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

describe('webhooks', () => {
  let panel: TestPanel;
  let admin: Caller;
  let billing: Caller;
  let receiver: http.Server;
  let base: string;
  let dispatcher: WebhookDispatcher;
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  let flakyFailures = 1;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
        if (req.url === '/dead') return void hanging.push(res); // never answers
        if (req.url === '/flaky' && flakyFailures-- > 0) return void res.writeHead(500).end('boom');
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    process.env.BERTH_WEBHOOK_ALLOW_LOOPBACK = '1';
    panel = await startPanel();
    delete process.env.BERTH_WEBHOOK_ALLOW_LOOPBACK;
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    billing = bearer(
      (
        (await call(panel.app, admin, 'POST', '/api/v1/tokens', { name: 'whmcs', scope: 'billing' })).json() as {
          secret: string;
        }
      ).secret,
    );
    dispatcher = new WebhookDispatcher({
      db: panel.db,
      dataKey: panel.services.dataKey,
      policy: { allowLoopback: true },
      pollMs: 50,
      timeoutMs: 400,
      backoffMs: [100, 200, 300],
    });
    dispatcher.start();
  });

  afterAll(async () => {
    await dispatcher?.stop();
    for (const res of hanging) res.destroy();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await panel.close();
  });

  const until = async <T>(
    what: string,
    check: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = 8_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('refuses targets on this host unless loopback is allowed, and never the panel itself or link-local', async () => {
    await expect(checkWebhookTarget('http://127.0.0.1:9/x', { allowLoopback: false })).rejects.toThrow(/this host/);
    await expect(checkWebhookTarget('http://[::1]:9/x', { allowLoopback: false })).rejects.toThrow(/this host/);
    await expect(
      checkWebhookTarget('http://169.254.169.254/latest/meta-data', { allowLoopback: true }),
    ).rejects.toThrow(/link-local/);
    await expect(
      checkWebhookTarget('http://127.0.0.1:8080/api/v1/accounts', { allowLoopback: true, panelPort: 8080 }),
    ).rejects.toThrow(/panel/);
    await expect(checkWebhookTarget('http://127.0.0.1:2019/load', { allowLoopback: true })).rejects.toThrow(/admin/);
    await expect(checkWebhookTarget('http://localhost:9/x', { allowLoopback: false })).rejects.toThrow(/this host/);
    await expect(checkWebhookTarget(`${base}/ok`, { allowLoopback: true })).resolves.toBeUndefined();
    const refused = await call(panel.app, admin, 'POST', '/api/v1/webhooks', {
      url: 'http://169.254.169.254/',
      events: ['account.created'],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { issues: [{ path: ['url'] }] } },
    });
  });

  it('signs deliveries, retries a 500, and a dead receiver delays nothing', async () => {
    const create = async (path: string, events: string[]) => {
      const res = await call(panel.app, admin, 'POST', '/api/v1/webhooks', { url: `${base}${path}`, events });
      expect(res.statusCode).toBe(201);
      return res.json() as { webhook: { id: string }; secret: string };
    };
    const all = [
      'account.created',
      'account.suspended',
      'account.unsuspended',
      'account.terminated',
      'account.plan-changed',
      'site.live',
      'site.failed',
    ];
    const ok = await create('/ok', all);
    const flaky = await create('/flaky', ['account.created']);
    const dead = await create('/dead', ['account.created', 'account.suspended']);
    expect(ok.secret).toMatch(/^whsec_/);
    // The secret is shown once and stored encrypted.
    const stored = await panel.db.webhookEndpoint.findUniqueOrThrow({ where: { id: ok.webhook.id } });
    expect(stored.secretEnc).not.toContain(ok.secret);
    expect(
      JSON.stringify((await call(panel.app, admin, 'GET', `/api/v1/webhooks/${ok.webhook.id}`)).json()),
    ).not.toContain(ok.secret);

    const created = await call(panel.app, billing, 'POST', '/api/v1/accounts', {
      username: 'kilo',
      email: 'kilo@client.test',
      password: 'client-password-123',
      site: { name: 'www', runtime: { kind: 'static' }, domain: 'kilo.client.test' },
    });
    expect(created.statusCode).toBe(201);
    const accountId = (created.json() as { id: string }).id;

    // The dead receiver has the request and holds it open…
    await until('the dead receiver got account.created', () => received.some((r) => r.path === '/dead'));
    // …while the API answers and the healthy endpoint gets the next event.
    const suspended = await call(panel.app, billing, 'POST', `/api/v1/accounts/${accountId}/suspend`);
    expect(suspended.statusCode).toBe(200);
    await until('account.suspended at /ok', () =>
      received.find((r) => r.path === '/ok' && r.headers['berth-event'] === 'account.suspended'),
    );
    const deadDelivery = await panel.db.webhookDelivery.findFirstOrThrow({
      where: { endpointId: dead.webhook.id, event: 'account.created' },
    });
    expect(deadDelivery.status).toBe('pending');

    const first = received.find((r) => r.path === '/ok' && r.headers['berth-event'] === 'account.created')!;
    expect(() =>
      verifyWebhookSignature({
        secret: ok.secret,
        body: first.body,
        header: first.headers['berth-signature'] as string,
      }),
    ).not.toThrow();
    expect(() =>
      verifyWebhookSignature({
        secret: flaky.secret,
        body: first.body,
        header: first.headers['berth-signature'] as string,
      }),
    ).toThrow(WebhookSignatureError);
    expect(() =>
      verifyWebhookSignature({
        secret: ok.secret,
        body: first.body.replace('kilo', 'kil0'),
        header: first.headers['berth-signature'] as string,
      }),
    ).toThrow(WebhookSignatureError);
    const payload = parseWebhook({
      secret: ok.secret,
      body: first.body,
      header: first.headers['berth-signature'] as string,
    });
    expect(payload).toMatchObject({
      type: 'account.created',
      data: { account: { id: accountId, username: 'kilo', email: 'kilo@client.test', status: 'active' } },
    });
    expect(first.headers['berth-delivery']).toMatch(/^[a-z0-9]{26}$/);
    expect(first.headers['content-type']).toBe('application/json');

    // The flaky endpoint failed once with 500 and was retried.
    await until(
      'flaky delivered',
      async () =>
        (await panel.db.webhookDelivery.findFirst({ where: { endpointId: flaky.webhook.id, status: 'delivered' } })) ??
        false,
    );
    const flakyLog = (
      await call(panel.app, admin, 'GET', `/api/v1/webhooks/${flaky.webhook.id}/deliveries`)
    ).json() as {
      items: {
        status: string;
        attempts: number;
        attemptLog: { statusCode: number | null; error: string | null; durationMs: number }[];
      }[];
    };
    expect(flakyLog.items).toHaveLength(1);
    expect(flakyLog.items[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(flakyLog.items[0]!.attemptLog.map((a) => [a.statusCode, a.error])).toEqual([
      [500, 'HTTP 500'],
      [204, null],
    ]);
    const flakyBodies = received.filter((r) => r.path === '/flaky').map((r) => r.body);
    expect(new Set(flakyBodies).size).toBe(1); // every retry sends the same body

    // The dead endpoint times out on every attempt and ends up failed, each attempt logged.
    await until(
      'dead delivery failed',
      async () =>
        (await panel.db.webhookDelivery.findFirst({ where: { id: deadDelivery.id, status: 'failed' } })) ?? false,
    );
    const deadLog = (
      await call(panel.app, admin, 'GET', `/api/v1/webhooks/${dead.webhook.id}/deliveries?status=failed`)
    ).json() as { items: { event: string; attemptLog: { error: string; durationMs: number }[] }[] };
    const createdLog = deadLog.items.find((d) => d.event === 'account.created')!;
    expect(createdLog.attemptLog).toHaveLength(4);
    for (const attempt of createdLog.attemptLog) {
      expect(attempt.error).toMatch(/timeout/);
      expect(attempt.durationMs).toBeGreaterThanOrEqual(350);
    }
  });

  it('announces plan changes, unsuspension, site status and termination once each, in order', async () => {
    const account = (
      (await call(panel.app, billing, 'GET', '/api/v1/accounts?q=kilo')).json() as {
        items: { id: string; sites: { id: string }[] }[];
      }
    ).items[0]!;
    const plan = (
      await call(panel.app, admin, 'POST', '/api/v1/plans', {
        name: 'Pro',
        maxSites: 9,
        maxDomains: 9,
        cpuMillicores: 2000,
        memoryMb: 1024,
        diskMb: 5000,
        bandwidthGb: 50,
        pidsLimit: 256,
        phpVersions: ['8.2', '8.4'],
        phpMaxMemoryMb: 256,
        phpMaxUploadMb: 64,
        phpMaxExecSeconds: 60,
      })
    ).json() as { id: string };
    expect(
      (await call(panel.app, billing, 'PUT', `/api/v1/accounts/${account.id}/plan`, { planId: plan.id })).statusCode,
    ).toBe(200);
    expect((await call(panel.app, billing, 'POST', `/api/v1/accounts/${account.id}/unsuspend`)).statusCode).toBe(200);
    // What the reconciler writes when the site comes up, through the real desired store.
    await new PrismaDesiredStore({ db: panel.db, dataKey: panel.services.dataKey }).setSiteStatus({
      tenantId: account.id,
      siteIds: [account.sites[0]!.id],
      status: 'live',
      message: null,
    });
    await until('site.live at /ok', () =>
      received.some((r) => r.path === '/ok' && r.headers['berth-event'] === 'site.live'),
    );
    expect((await call(panel.app, billing, 'DELETE', `/api/v1/accounts/${account.id}`)).statusCode).toBe(200);
    const events = () => received.filter((r) => r.path === '/ok').map((r) => r.headers['berth-event']);
    await until('account.terminated at /ok', () => events().includes('account.terminated'));
    await dispatcher.idle();
    // Once each (deliveries run in parallel, so receivers order by the payload's createdAt, not by arrival).
    expect(events().sort()).toEqual([
      'account.created',
      'account.plan-changed',
      'account.suspended',
      'account.terminated',
      'account.unsuspended',
      'site.live',
    ]);
    const byType = Object.fromEntries(
      received
        .filter((r) => r.path === '/ok')
        .map((r) => [
          r.headers['berth-event'],
          JSON.parse(r.body) as {
            data: {
              account: { planId: string; status: string; username: string };
              site?: { domains: string[]; status: string };
            };
          },
        ]),
    );
    expect(byType['account.plan-changed']!.data.account.planId).toBe(plan.id);
    expect(byType['site.live']!.data.site).toMatchObject({ status: 'live', domains: ['kilo.client.test'] });
    expect(byType['account.terminated']!.data.account).toMatchObject({ username: 'kilo', status: 'terminated' });
  });
});
