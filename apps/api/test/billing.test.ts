import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  anonymous,
  bearer,
  call,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TestPanel,
} from './helpers.js';

/**
 * The billing API as WHMCS drives it: one-call account creation, Idempotency-Key replays, token scopes,
 * one-time sign-on links and usage measured from real files and a real Caddy access log.
 */

interface Account {
  id: string;
  username: string;
  email: string;
  planId: string;
  status: string;
  primaryDomain: string | null;
  sites: { id: string; name: string; status: string; domains: string[] }[];
}

const PASSWORD = 'client-password-123';
const accountBody = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  email: `${username}@client.test`,
  password: PASSWORD,
  site: { name: 'www', runtime: { kind: 'php', version: '8.2' }, domain: `${username}.client.test` },
  ...extra,
});

describe('billing API: accounts', () => {
  let panel: TestPanel;
  let admin: Caller;
  let billing: Caller;
  let adminRead: Caller;

  const post = (caller: Caller, url: string, body: unknown, key?: string) =>
    call(
      panel.app,
      {
        headers: { ...caller.headers, ...(key ? { 'idempotency-key': key } : {}) },
        ...(caller.csrf ? { csrf: caller.csrf } : {}),
      },
      'POST',
      url,
      body,
    );

  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const mint = async (scope: string) =>
      bearer(
        (
          (await call(panel.app, admin, 'POST', '/api/v1/tokens', { name: `whmcs ${scope}`, scope })).json() as {
            secret: string;
          }
        ).secret,
      );
    billing = await mint('billing');
    adminRead = await mint('read');
  });
  afterAll(async () => {
    await panel.close();
  });

  it('creates tenant, owner, first site and domain in one call, and never answers a secret', async () => {
    const res = await post(billing, '/api/v1/accounts', accountBody('acme'));
    expect(res.statusCode).toBe(201);
    const account = res.json() as Account;
    expect(account).toMatchObject({
      username: 'acme',
      email: 'acme@client.test',
      status: 'active',
      primaryDomain: 'acme.client.test',
    });
    expect(account.sites).toEqual([
      { id: expect.any(String), name: 'www', status: 'pending', domains: ['acme.client.test'] },
    ]);
    expect(res.body).not.toContain(PASSWORD);
    expect(res.body).not.toMatch(/hash|secret/i);
    // The console sees exactly what the one call made, and the owner can sign in.
    const owner = await login(panel.app, 'acme@client.test', PASSWORD);
    const sites = (await call(panel.app, owner, 'GET', '/api/v1/sites')).json() as {
      items: { id: string; domains: string[] }[];
    };
    expect(sites.items.map((s) => s.domains)).toEqual([['acme.client.test']]);
    const actions = (await panel.db.event.findMany({ where: { tenantId: account.id }, orderBy: { at: 'asc' } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(['tenant.create', 'site.create', 'domain.create', 'auth.login']);
    const list = (await call(panel.app, billing, 'GET', '/api/v1/accounts?q=acme.client')).json() as {
      items: Account[];
      total: number;
    };
    expect(list.items.map((a) => [a.username, a.email, a.primaryDomain, a.status])).toEqual([
      ['acme', 'acme@client.test', 'acme.client.test', 'active'],
    ]);
  });

  it('leaves nothing behind when any part is refused (domain taken, runtime not in the plan)', async () => {
    const before = {
      tenants: await panel.db.tenant.count(),
      users: await panel.db.user.count(),
      sites: await panel.db.site.count(),
    };
    const taken = await post(
      billing,
      '/api/v1/accounts',
      accountBody('bravo', {
        site: { name: 'www', runtime: { kind: 'php', version: '8.2' }, domain: 'acme.client.test' },
      }),
    );
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: { code: 'HOSTNAME_TAKEN' } });
    const plan = (
      await call(panel.app, admin, 'POST', '/api/v1/plans', {
        name: 'PHP 8.4 only',
        maxSites: 1,
        maxDomains: 1,
        cpuMillicores: 500,
        memoryMb: 256,
        diskMb: 100,
        bandwidthGb: 1,
        pidsLimit: 64,
        phpVersions: ['8.4'],
        phpMaxMemoryMb: 128,
        phpMaxUploadMb: 16,
        phpMaxExecSeconds: 30,
      })
    ).json() as { id: string };
    const version = await post(billing, '/api/v1/accounts', accountBody('bravo', { planId: plan.id }));
    expect(version.statusCode).toBe(422);
    expect(version.json()).toMatchObject({ error: { code: 'VERSION_NOT_ALLOWED' } });
    const email = await post(
      billing,
      '/api/v1/accounts',
      accountBody('bravo', { email: 'acme@client.test', site: undefined }),
    );
    expect(email.json()).toMatchObject({ error: { code: 'EMAIL_TAKEN' } });
    expect({
      tenants: await panel.db.tenant.count(),
      users: await panel.db.user.count(),
      sites: await panel.db.site.count(),
    }).toEqual(before);
  });

  it('replays a retried POST with the same Idempotency-Key and refuses the key for another body', async () => {
    const first = await post(billing, '/api/v1/accounts', accountBody('charlie'), 'order-1001');
    expect(first.statusCode).toBe(201);
    const again = await post(billing, '/api/v1/accounts', accountBody('charlie'), 'order-1001');
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await panel.db.tenant.count({ where: { slug: 'charlie' } })).toBe(1);
    const other = await post(billing, '/api/v1/accounts', accountBody('delta'), 'order-1001');
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await panel.db.tenant.count({ where: { slug: 'delta' } })).toBe(0);
    // Keys belong to the caller: another principal with the same key is a new request (and a 409 for the taken slug).
    const otherCaller = await post(admin, '/api/v1/accounts', accountBody('charlie'), 'order-1001');
    expect(otherCaller.json()).toMatchObject({ error: { code: 'SLUG_TAKEN' } });
    // Suspend twice with one key: one event, the same answer.
    const id = (first.json() as Account).id;
    const s1 = await post(billing, `/api/v1/accounts/${id}/suspend`, undefined, 'suspend-1');
    const s2 = await post(billing, `/api/v1/accounts/${id}/suspend`, undefined, 'suspend-1');
    expect([s1.statusCode, s2.statusCode]).toEqual([200, 200]);
    expect(s2.body).toBe(s1.body);
    expect(await panel.db.event.count({ where: { tenantId: id, action: 'tenant.suspend' } })).toBe(1);
    // An expired key is forgotten.
    await panel.db.idempotencyKey.updateMany({
      where: { key: 'suspend-1' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(
      (await post(billing, `/api/v1/accounts/${id}/suspend`, undefined, 'suspend-1')).headers['idempotent-replayed'],
    ).toBeUndefined();
    expect(await panel.db.event.count({ where: { tenantId: id, action: 'tenant.suspend' } })).toBe(2);
    // A malformed key is a clear 400.
    const bad = await post(billing, '/api/v1/accounts', accountBody('echo'), 'x'.repeat(300));
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('creates exactly one account for five concurrent identical requests with one key', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => post(billing, '/api/v1/accounts', accountBody('foxtrot'), 'order-2002')),
    );
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => (r.json() as Account).id)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
    expect(await panel.db.tenant.count({ where: { slug: 'foxtrot' } })).toBe(1);
    expect(await panel.db.site.count({ where: { tenant: { slug: 'foxtrot' } } })).toBe(1);
  });

  it('scopes tokens: billing runs the lifecycle only, read-only tokens only read', async () => {
    const acme = ((await call(panel.app, billing, 'GET', '/api/v1/accounts?q=acme')).json() as { items: Account[] })
      .items[0]!;
    const siteId = acme.sites[0]!.id;
    const refused: [string, string, unknown?][] = [
      ['GET', '/api/v1/sites'],
      ['GET', `/api/v1/sites/${siteId}`],
      ['GET', `/api/v1/sites/${siteId}/files`],
      ['GET', `/api/v1/sites/${siteId}/files/index.php`],
      ['GET', '/api/v1/events'],
      ['GET', '/api/v1/webhooks'],
      ['POST', '/api/v1/webhooks', { url: 'https://hooks.client.test/x', events: ['account.created'] }],
      ['POST', '/api/v1/sites', { tenantId: acme.id, name: 'extra', runtime: { kind: 'php' } }],
      ['POST', `/api/v1/sites/${siteId}/domains`, { hostname: 'extra.client.test' }],
      ['DELETE', `/api/v1/sites/${siteId}`],
      ['POST', '/api/v1/tokens', { name: 'escalate', scope: 'full' }],
    ];
    for (const [method, url, body] of refused) {
      const res = await call(panel.app, billing, method as 'GET', url, body);
      expect(`${method} ${url} → ${res.statusCode}`).toBe(`${method} ${url} → 403`);
    }
    expect((await call(panel.app, adminRead, 'POST', `/api/v1/accounts/${acme.id}/suspend`)).statusCode).toBe(403);
    expect((await call(panel.app, adminRead, 'POST', '/api/v1/accounts', accountBody('golf'))).statusCode).toBe(403);
    expect((await call(panel.app, adminRead, 'GET', `/api/v1/accounts/${acme.id}`)).statusCode).toBe(200);
    // A tenant's own owner cannot use the billing API on their own account, and another tenant sees nothing.
    const tenant = await makeTenant(panel.app, admin, 'hotel');
    expect((await call(panel.app, tenant.owner, 'GET', `/api/v1/accounts/${tenant.id}`)).statusCode).toBe(403);
    expect((await call(panel.app, tenant.owner, 'POST', `/api/v1/accounts/${acme.id}/sso`)).statusCode).toBe(404);
    expect((await call(panel.app, anonymous, 'GET', '/api/v1/accounts')).statusCode).toBe(401);
  });

  it('changes plan (no-op when unchanged) and the owner password, suspends, unsuspends and terminates', async () => {
    const res = await post(billing, '/api/v1/accounts', accountBody('india', { site: undefined }));
    const id = (res.json() as Account).id;
    const plan = (
      await call(panel.app, admin, 'POST', '/api/v1/plans', {
        name: 'Bigger',
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
    const changed = await call(panel.app, billing, 'PUT', `/api/v1/accounts/${id}/plan`, { planId: plan.id });
    expect(changed.json()).toMatchObject({ planId: plan.id, planName: 'Bigger' });
    await call(panel.app, billing, 'PUT', `/api/v1/accounts/${id}/plan`, { planId: plan.id });
    expect(await panel.db.event.count({ where: { tenantId: id, action: 'tenant.update' } })).toBe(1);
    const unknownPlan = await call(panel.app, billing, 'PUT', `/api/v1/accounts/${id}/plan`, {
      planId: '0123456789abcdefghjkmnpqrs',
    });
    expect(unknownPlan.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });

    const owner = await login(panel.app, 'india@client.test', PASSWORD);
    expect(
      (await call(panel.app, billing, 'PUT', `/api/v1/accounts/${id}/password`, { password: 'brand-new-password-456' }))
        .statusCode,
    ).toBe(200);
    expect((await call(panel.app, owner, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect(
      (
        await panel.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'india@client.test', password: PASSWORD },
        })
      ).statusCode,
    ).toBe(401);
    await login(panel.app, 'india@client.test', 'brand-new-password-456');

    expect((await post(billing, `/api/v1/accounts/${id}/suspend`, undefined)).json()).toMatchObject({
      status: 'suspended',
    });
    expect((await post(billing, `/api/v1/accounts/${id}/unsuspend`, undefined)).json()).toMatchObject({
      status: 'active',
    });
    expect((await call(panel.app, billing, 'DELETE', `/api/v1/accounts/${id}`)).statusCode).toBe(200);
    expect((await call(panel.app, billing, 'GET', `/api/v1/accounts/${id}`)).statusCode).toBe(404);
    expect(await panel.db.user.count({ where: { email: 'india@client.test' } })).toBe(0);
  });

  it('signs the owner in once with an SSO link; a used or expired link signs nobody in', async () => {
    const acme = ((await call(panel.app, billing, 'GET', '/api/v1/accounts?q=acme')).json() as { items: Account[] })
      .items[0]!;
    const link = await post(billing, `/api/v1/accounts/${acme.id}/sso`, undefined);
    expect(link.statusCode).toBe(200);
    const { url, expiresAt } = link.json() as { url: string; expiresAt: string };
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    const secret = url.split('/').pop()!;
    expect(await panel.db.ssoLink.count({ where: { tokenHash: secret } })).toBe(0); // only the hash is stored
    const pathname = new URL(url).pathname;
    const used = await panel.app.inject({ method: 'GET', url: pathname });
    expect(used.statusCode).toBe(303);
    expect(used.headers.location).toBe('/');
    const cookie = used.cookies.find((c) => c.name === 'berth_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const me = await call(panel.app, { headers: { cookie: `berth_session=${cookie.value}` } }, 'GET', '/api/v1/me');
    expect(me.json()).toMatchObject({ user: { email: 'acme@client.test', role: 'tenant-owner' } });

    const twice = await panel.app.inject({ method: 'GET', url: pathname });
    expect(twice.statusCode).toBe(410);
    expect(twice.json()).toMatchObject({ error: { code: 'SSO_LINK_INVALID' } });
    expect(twice.cookies).toEqual([]);
    const page = await panel.app.inject({
      method: 'GET',
      url: pathname,
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(page.statusCode).toBe(410);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toMatch(/already used or has expired/);

    const late = (await post(billing, `/api/v1/accounts/${acme.id}/sso`, undefined)).json() as { url: string };
    await panel.db.ssoLink.updateMany({ where: { usedAt: null }, data: { expiresAt: new Date(Date.now() - 1) } });
    const expired = await panel.app.inject({ method: 'GET', url: new URL(late.url).pathname });
    expect(expired.statusCode).toBe(410);
    expect(expired.cookies).toEqual([]);
    expect((await panel.app.inject({ method: 'GET', url: '/api/v1/sso/not-a-link' })).statusCode).toBe(410);
  });

  it('resets passwords and signs in account owners only, never an administrator, and records each use', async () => {
    const id = ((await post(billing, '/api/v1/accounts', accountBody('juliet', { site: undefined }))).json() as Account)
      .id;
    const owner = await panel.db.user.findFirstOrThrow({ where: { tenantId: id } });
    expect(
      (await call(panel.app, billing, 'PUT', `/api/v1/accounts/${id}/password`, { password: 'juliet-new-password-1' }))
        .statusCode,
    ).toBe(200);
    const link = (await post(billing, `/api/v1/accounts/${id}/sso`, undefined)).json() as { url: string };
    const uses = await panel.db.event.findMany({
      where: { tenantId: id, action: { in: ['user.password-reset', 'account.sso-link'] } },
      orderBy: { at: 'asc' },
    });
    expect(uses.map((e) => [e.action, e.targetId, e.actor.startsWith('token:'), e.result])).toEqual([
      ['user.password-reset', owner.id, true, 'ok'],
      ['account.sso-link', owner.id, true, 'ok'],
    ]);

    // The user becomes an administrator after the link was minted: the link signs nobody in any more,
    // and a billing system can neither set that user's password nor mint a new link for it.
    await panel.db.user.update({ where: { id: owner.id }, data: { role: 'admin' } });
    const failedSignOns = () => panel.db.event.count({ where: { action: 'auth.sso-login', result: 'error' } });
    const failedBefore = await failedSignOns();
    const redeemed = await panel.app.inject({ method: 'GET', url: new URL(link.url).pathname });
    expect(redeemed.statusCode).toBe(410);
    expect(redeemed.cookies).toEqual([]);
    const hash = (await panel.db.user.findUniqueOrThrow({ where: { id: owner.id } })).passwordHash;
    expect(
      (await call(panel.app, billing, 'PUT', `/api/v1/accounts/${id}/password`, { password: 'taken-over-password-1' }))
        .statusCode,
    ).toBe(404);
    expect((await post(billing, `/api/v1/accounts/${id}/sso`, undefined)).statusCode).toBe(404);
    expect((await panel.db.user.findUniqueOrThrow({ where: { id: owner.id } })).passwordHash).toBe(hash);
    expect(await panel.db.session.count({ where: { userId: owner.id } })).toBe(0);
    // The refusals are in the audit trail too.
    expect(await failedSignOns()).toBe(failedBefore + 1);
    expect(
      await panel.db.event.count({
        where: {
          actor: uses[0]!.actor,
          action: { in: ['put /api/v1/accounts/:id/password', 'post /api/v1/accounts/:id/sso'] },
          result: 'error',
          message: 'HTTP 404',
        },
      }),
    ).toBe(2);
  });

  it('measures disk from the site files and this month’s bandwidth from the Caddy access log', async () => {
    const acme = ((await call(panel.app, billing, 'GET', '/api/v1/accounts?q=acme')).json() as { items: Account[] })
      .items[0]!;
    const usage = async () =>
      (await call(panel.app, billing, 'GET', `/api/v1/accounts/${acme.id}/usage`)).json() as {
        disk: { usedBytes: number; limitBytes: number };
        bandwidth: { usedBytes: number; limitBytes: number; periodStart: string; periodEnd: string };
      };
    const empty = await usage();
    expect(empty.disk.usedBytes).toBe(0);
    expect(empty.bandwidth.usedBytes).toBe(0);
    const plan = await panel.db.plan.findUniqueOrThrow({ where: { id: acme.planId } });
    expect(empty.disk.limitBytes).toBe(plan.diskMb * 1024 * 1024);
    expect(empty.bandwidth.limitBytes).toBe(plan.bandwidthGb * 1024 ** 3);

    const siteDir = path.join(panel.dir, 'tenants', acme.id, 'sites', acme.sites[0]!.id, 'public');
    fs.mkdirSync(siteDir, { recursive: true });
    fs.writeFileSync(path.join(siteDir, 'big.bin'), Buffer.alloc(300_000, 1));
    const disk = (await usage()).disk.usedBytes;
    expect(disk).toBeGreaterThanOrEqual(300_000);
    expect(disk).toBeLessThan(400_000);

    const now = Date.now() / 1000;
    const lastMonth = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1) / 1000 - 3600;
    const line = (ts: number, size: number) =>
      JSON.stringify({
        level: 'info',
        ts,
        logger: 'http.log.access.x',
        msg: 'handled request',
        request: { host: 'acme.client.test', uri: '/' },
        bytes_read: 0,
        duration: 0.001,
        size,
        status: 200,
      });
    const logDir = path.join(panel.dir, 'caddy', 'logs', acme.id);
    fs.mkdirSync(logDir, { recursive: true });
    const log = path.join(logDir, 'acme.client.test.log');
    const torn = line(now, 700); // Caddy is still writing this one
    fs.writeFileSync(
      log,
      [line(now, 1000), line(now, 2500), line(lastMonth, 999_999), 'not json', ''].join('\n') + torn.slice(0, 40),
    );
    expect((await usage()).bandwidth.usedBytes).toBe(3500); // the unfinished last line is not counted yet
    fs.appendFileSync(log, `${torn.slice(40)}\n${line(now, 500)}\n`);
    expect((await usage()).bandwidth.usedBytes).toBe(3500 + 700 + 500);
    // A rolled, gzipped file of this month counts too.
    fs.writeFileSync(
      path.join(logDir, 'acme.client.test-2026-01-01T00-00-00.000.log.gz'),
      zlib.gzipSync(`${line(now, 10_000)}\n${line(lastMonth, 5)}\n`),
    );
    const month = (await usage()).bandwidth;
    expect(month.usedBytes).toBe(14_700);
    expect(new Date(month.periodStart).getUTCDate()).toBe(1);
    expect(new Date(month.periodEnd).getTime()).toBeGreaterThan(Date.now());
  });

  it('documents every billing route in the OpenAPI document with a request or response example', async () => {
    const doc = (await call(panel.app, anonymous, 'GET', '/api/v1/openapi.json')).json() as {
      paths: Record<string, Record<string, { tags?: string[]; requestBody?: unknown; responses?: unknown }>>;
    };
    const ops = Object.entries(doc.paths).flatMap(([p, byMethod]) =>
      Object.entries(byMethod).map(([m, op]) => ({ name: `${m.toUpperCase()} ${p}`, op })),
    );
    const billingOps = ops.filter(({ op }) => op.tags?.includes('billing')).map(({ name }) => name);
    expect(billingOps.filter((n) => n.includes('/accounts'))).toHaveLength(10);
    expect(billingOps.filter((n) => n.includes('/webhooks'))).toHaveLength(7);
    expect(doc.paths['/api/v1/sso/{token}']).toBeUndefined(); // the browser end of a link is not API
    const create = JSON.stringify(doc.paths['/api/v1/accounts']!.post);
    expect(create).toContain('"examples"');
    expect(create).toContain('Idempotency-Key');
    expect(JSON.stringify(doc.paths['/api/v1/accounts/{id}/usage']!.get)).toMatch(/"examples?"/);
  });

  it('treats an empty JSON body as no body on POSTs that take none (billing modules send the header always)', async () => {
    const created = await post(billing, '/api/v1/accounts', accountBody('emptybody'));
    const id = (created.json() as Account).id;
    const raw = (url: string) =>
      panel.app.inject({
        method: 'POST',
        url,
        headers: { ...billing.headers, 'content-type': 'application/json', 'content-length': '0' },
        payload: '',
      });
    const suspended = await raw(`/api/v1/accounts/${id}/suspend`);
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json()).toMatchObject({ status: 'suspended' });
    expect((await raw(`/api/v1/accounts/${id}/unsuspend`)).json()).toMatchObject({ status: 'active' });
    // A route that needs a body still says so, at the body.
    const noBody = await raw('/api/v1/accounts');
    expect(noBody.statusCode).toBe(400);
    expect(noBody.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});
