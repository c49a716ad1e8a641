import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, bearer, call, login, makeTenant, startPanel, type Caller, type TestPanel } from './helpers.js';

describe('plans, tenants, sites and domains', () => {
  let panel: TestPanel;
  let admin: Caller;
  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await panel.close();
  });

  it('reports system health to administrators: the database, and Docker, Caddy and the reconciler as not running without the control plane', async () => {
    const res = await call(panel.app, admin, 'GET', '/api/v1/system/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: false,
      components: {
        database: { ok: true },
        docker: { ok: false },
        caddy: { ok: false },
        reconciler: { ok: false, failingTenants: 0, oldestUnconverged: null },
      },
    });
  });

  it('offers the runtime catalog', async () => {
    const res = await call(panel.app, admin, 'GET', '/api/v1/runtimes');
    const php = (res.json() as { kinds: { kind: string; versions: string[] }[] }).kinds.find((k) => k.kind === 'php');
    expect(php?.versions).toEqual(['7.4', '8.2', '8.4']);
  });

  it('creates a tenant with an owner, a uid and two unique loopback ports, and records the event with actor and IP', async () => {
    const res = await call(panel.app, admin, 'POST', '/api/v1/tenants', {
      slug: 'acme',
      name: 'Acme Ltd',
      owner: { email: 'owner@acme.test', password: 'acme-password-123' },
    });
    expect(res.statusCode).toBe(201);
    const tenant = res.json() as {
      id: string;
      status: string;
      ports: { web: number; cache: number };
      ownerEmail: string;
      planId: string;
    };
    expect(tenant).toMatchObject({ status: 'active', ownerEmail: 'owner@acme.test' });
    expect(tenant.ports.web).toBeGreaterThanOrEqual(20000);
    expect(tenant.ports.cache).not.toBe(tenant.ports.web);
    const events = (await call(panel.app, admin, 'GET', `/api/v1/events?targetId=${tenant.id}`)).json() as {
      items: { action: string; actor: string; ip: string; result: string }[];
    };
    expect(events.items[0]).toMatchObject({ action: 'tenant.create', result: 'ok', ip: '127.0.0.1' });
    expect(events.items[0]!.actor).toMatch(/^user:/);
    const again = await call(panel.app, admin, 'POST', '/api/v1/tenants', {
      slug: 'acme',
      name: 'Again',
      owner: { email: 'other@acme.test', password: 'acme-password-123' },
    });
    expect(again.statusCode).toBe(409);
    expect((again.json() as { error: { code: string } }).error.code).toBe('SLUG_TAKEN');
  });

  it('stores sites as pending desired state, within the plan', async () => {
    const t = await makeTenant(panel.app, admin, 'sites-co');
    const site = (await call(panel.app, t.owner, 'GET', `/api/v1/sites/${t.siteId}`)).json() as {
      status: string;
      runtime: unknown;
      domains: string[];
    };
    expect(site).toMatchObject({ status: 'pending', runtime: { kind: 'php', version: '8.2' }, domains: [t.hostname] });
    // Default version when omitted.
    const node = await call(panel.app, t.owner, 'POST', '/api/v1/sites', { name: 'api', runtime: { kind: 'node' } });
    expect((node.json() as { runtime: unknown }).runtime).toEqual({ kind: 'node', version: '20' });
    // Same name twice.
    const dup = await call(panel.app, t.owner, 'POST', '/api/v1/sites', { name: 'api', runtime: { kind: 'python' } });
    expect((dup.json() as { error: { code: string } }).error.code).toBe('SITE_NAME_TAKEN');
    // Switch PHP version; settings merge.
    const patched = await call(panel.app, t.owner, 'PATCH', `/api/v1/sites/${t.siteId}`, {
      runtime: { kind: 'php', version: '8.4' },
      settings: { php: { memoryLimitMb: 256 } },
    });
    expect(patched.json()).toMatchObject({
      runtime: { version: '8.4' },
      settings: { php: { memoryLimitMb: 256 } },
      status: 'pending',
    });
    const patched2 = await call(panel.app, t.owner, 'PATCH', `/api/v1/sites/${t.siteId}`, {
      settings: { php: { displayErrors: true } },
    });
    expect((patched2.json() as { settings: unknown }).settings).toEqual({
      php: { memoryLimitMb: 256, displayErrors: true },
    });
    // Beyond the plan's PHP bounds.
    const tooBig = await call(panel.app, t.owner, 'PATCH', `/api/v1/sites/${t.siteId}`, {
      settings: { php: { memoryLimitMb: 4096 } },
    });
    expect(tooBig.statusCode).toBe(422);
    expect((tooBig.json() as { error: { code: string } }).error.code).toBe('SETTING_OUT_OF_BOUNDS');
  });

  it('enforces the plan: PHP versions and site count', async () => {
    const plan = await call(panel.app, admin, 'POST', '/api/v1/plans', {
      name: 'Tiny',
      maxSites: 1,
      maxDomains: 1,
      cpuMillicores: 250,
      memoryMb: 128,
      diskMb: 500,
      bandwidthGb: 5,
      pidsLimit: 64,
      phpVersions: ['8.4'],
      phpMaxMemoryMb: 128,
      phpMaxUploadMb: 8,
      phpMaxExecSeconds: 30,
    });
    expect(plan.statusCode).toBe(201);
    const planId = (plan.json() as { id: string }).id;
    const t = await call(panel.app, admin, 'POST', '/api/v1/tenants', {
      slug: 'tiny',
      name: 'Tiny',
      planId,
      owner: { email: 'tiny@example.test', password: 'tiny-password-123' },
    });
    const tenantId = (t.json() as { id: string }).id;
    const old = await call(panel.app, admin, 'POST', '/api/v1/sites', {
      tenantId,
      name: 'legacy',
      runtime: { kind: 'php', version: '7.4' },
    });
    expect(old.statusCode).toBe(422);
    expect((old.json() as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'VERSION_NOT_ALLOWED',
    });
    const ok = await call(panel.app, admin, 'POST', '/api/v1/sites', {
      tenantId,
      name: 'one',
      runtime: { kind: 'php', version: '8.4' },
    });
    expect(ok.statusCode).toBe(201);
    const two = await call(panel.app, admin, 'POST', '/api/v1/sites', {
      tenantId,
      name: 'two',
      runtime: { kind: 'static' },
    });
    expect((two.json() as { error: { code: string } }).error.code).toBe('PLAN_LIMIT_REACHED');
    const siteId = (ok.json() as { id: string }).id;
    expect(
      (await call(panel.app, admin, 'POST', `/api/v1/sites/${siteId}/domains`, { hostname: 'one.tiny.test' }))
        .statusCode,
    ).toBe(201);
    const d2 = await call(panel.app, admin, 'POST', `/api/v1/sites/${siteId}/domains`, { hostname: 'two.tiny.test' });
    expect((d2.json() as { error: { code: string } }).error.code).toBe('PLAN_LIMIT_REACHED');
    // A plan in use cannot be deleted.
    expect(
      ((await call(panel.app, admin, 'DELETE', `/api/v1/plans/${planId}`)).json() as { error: { code: string } }).error
        .code,
    ).toBe('PLAN_IN_USE');
  });

  it("keeps a plan's egress allow-list: validated, shown to the plan's tenants, and a change converges them", async () => {
    const body = {
      name: 'Egress',
      maxSites: 1,
      maxDomains: 1,
      cpuMillicores: 250,
      memoryMb: 128,
      diskMb: 500,
      bandwidthGb: 5,
      pidsLimit: 64,
      phpVersions: ['8.4'],
      phpMaxMemoryMb: 128,
      phpMaxUploadMb: 8,
      phpMaxExecSeconds: 30,
    };
    const plain = await call(panel.app, admin, 'POST', '/api/v1/plans', { ...body, name: 'No egress' });
    expect((plain.json() as { egressAllow: string[] }).egressAllow).toEqual([]);
    for (const bad of [
      ['0.0.0.0/0'],
      ['10.0.5.1/24'],
      ['10.0.5.0/24:70000'],
      ['10.0.5.0/24', '10.0.5.0/24'],
      Array.from({ length: 33 }, (_, i) => `10.0.${i}.0/24`),
    ]) {
      const res = await call(panel.app, admin, 'POST', '/api/v1/plans', { ...body, egressAllow: bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect((res.json() as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    }
    const created = await call(panel.app, admin, 'POST', '/api/v1/plans', {
      ...body,
      egressAllow: ['10.0.5.0/24:3306'],
    });
    expect(created.statusCode).toBe(201);
    const planId = (created.json() as { id: string; egressAllow: string[] }).id;
    expect((created.json() as { egressAllow: string[] }).egressAllow).toEqual(['10.0.5.0/24:3306']);
    const t = await call(panel.app, admin, 'POST', '/api/v1/tenants', {
      slug: 'egress-co',
      name: 'Egress',
      planId,
      owner: { email: 'egress@example.test', password: 'egress-password-123' },
    });
    const tenantId = (t.json() as { id: string }).id;
    const changed: string[] = [];
    const listener = (id: string) => changed.push(id);
    panel.services.notifier.on('changed', listener);
    try {
      const patched = await call(panel.app, admin, 'PATCH', `/api/v1/plans/${planId}`, {
        egressAllow: ['10.0.5.0/24:3306', '192.0.2.25/32:25'],
      });
      expect((patched.json() as { egressAllow: string[] }).egressAllow).toEqual([
        '10.0.5.0/24:3306',
        '192.0.2.25/32:25',
      ]);
      expect(changed).toEqual([tenantId]);
      await call(panel.app, admin, 'PATCH', `/api/v1/plans/${planId}`, { maxSites: 2 });
      expect(changed).toEqual([tenantId]);
    } finally {
      panel.services.notifier.off('changed', listener);
    }
    const owner = await login(panel.app, 'egress@example.test', 'egress-password-123');
    expect(
      ((await call(panel.app, owner, 'GET', `/api/v1/plans/${planId}`)).json() as { egressAllow: string[] })
        .egressAllow,
    ).toEqual(['10.0.5.0/24:3306', '192.0.2.25/32:25']);
  });

  it('normalises domains (IDN to punycode, case, trailing dot), keeps them unique panel-wide, picks TLS modes', async () => {
    const t = await makeTenant(panel.app, admin, 'domains-co');
    const idn = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'Bücher.Example.',
    });
    expect(idn.statusCode).toBe(201);
    expect(idn.json()).toMatchObject({ hostname: 'xn--bcher-kva.example', tls: 'auto', kind: 'primary' });
    const local = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'dev.domains-co.localhost',
    });
    expect((local.json() as { tls: string }).tls).toBe('internal');
    const other = await makeTenant(panel.app, admin, 'domains-two');
    const taken = await call(panel.app, other.owner, 'POST', `/api/v1/sites/${other.siteId}/domains`, {
      hostname: 'xn--bcher-kva.example',
    });
    expect(taken.statusCode).toBe(409);
    expect((taken.json() as { error: { code: string } }).error.code).toBe('HOSTNAME_TAKEN');
    const redirect = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'old.example',
      kind: 'redirect',
      redirectTo: 'https://xn--bcher-kva.example/',
    });
    expect(redirect.json()).toMatchObject({
      kind: 'redirect',
      redirectCode: 301,
      redirectTo: 'https://xn--bcher-kva.example/',
    });
    const site = (await call(panel.app, t.owner, 'GET', `/api/v1/sites/${t.siteId}`)).json() as { domains: string[] };
    expect(site.domains).toEqual([t.hostname, 'xn--bcher-kva.example', 'dev.domains-co.localhost', 'old.example']);
    const domainId = (idn.json() as { id: string }).id;
    expect(
      (await call(panel.app, t.owner, 'PATCH', `/api/v1/domains/${domainId}`, { tls: 'internal' })).json(),
    ).toMatchObject({ tls: 'internal' });
    expect((await call(panel.app, t.owner, 'DELETE', `/api/v1/domains/${domainId}`)).statusCode).toBe(200);
    expect(
      (
        await call(panel.app, other.owner, 'POST', `/api/v1/sites/${other.siteId}/domains`, {
          hostname: 'bücher.example',
        })
      ).statusCode,
    ).toBe(201);
  });

  it('suspends and unsuspends: writes are refused while suspended, reads still work', async () => {
    const t = await makeTenant(panel.app, admin, 'suspend-co');
    const suspended = await call(panel.app, admin, 'POST', `/api/v1/tenants/${t.id}/suspend`);
    expect((suspended.json() as { status: string }).status).toBe('suspended');
    const refused = await call(panel.app, bearer(t.token), 'POST', '/api/v1/sites', {
      name: 'more',
      runtime: { kind: 'static' },
    });
    expect((refused.json() as { error: { code: string } }).error.code).toBe('TENANT_SUSPENDED');
    expect((await call(panel.app, bearer(t.token), 'GET', `/api/v1/sites/${t.siteId}`)).statusCode).toBe(200);
    // Its own owner cannot unsuspend it: like every write of a suspended tenant's user, TENANT_SUSPENDED.
    expect((await call(panel.app, t.owner, 'POST', `/api/v1/tenants/${t.id}/unsuspend`)).statusCode).toBe(409);
    const back = await call(panel.app, admin, 'POST', `/api/v1/tenants/${t.id}/unsuspend`);
    expect((back.json() as { status: string }).status).toBe('active');
    expect(
      (await call(panel.app, bearer(t.token), 'POST', '/api/v1/sites', { name: 'more', runtime: { kind: 'static' } }))
        .statusCode,
    ).toBe(201);
  });

  it('lets billing tokens run the account lifecycle and nothing else', async () => {
    const minted = (
      await call(panel.app, admin, 'POST', '/api/v1/tokens', { name: 'whmcs', scope: 'billing' })
    ).json() as { secret: string };
    const billing = bearer(minted.secret);
    const t = await makeTenant(panel.app, admin, 'billing-co');
    expect((await call(panel.app, billing, 'POST', `/api/v1/tenants/${t.id}/suspend`)).statusCode).toBe(200);
    expect((await call(panel.app, billing, 'POST', `/api/v1/tenants/${t.id}/unsuspend`)).statusCode).toBe(200);
    expect((await call(panel.app, billing, 'GET', '/api/v1/plans')).statusCode).toBe(200);
    expect((await call(panel.app, billing, 'GET', `/api/v1/sites/${t.siteId}`)).statusCode).toBe(403);
    expect(
      (
        await call(panel.app, billing, 'POST', '/api/v1/sites', {
          tenantId: t.id,
          name: 'x',
          runtime: { kind: 'static' },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await call(panel.app, billing, 'PATCH', `/api/v1/tenants/${t.id}`, { varnishEnabled: true })).statusCode,
    ).toBe(403);
    expect((await call(panel.app, billing, 'DELETE', `/api/v1/tenants/${t.id}`)).statusCode).toBe(200);
  });
});

describe('port allocation', () => {
  it('runs out of ports with a clear 503 leaving nothing half-created, and terminating a tenant frees its ports', async () => {
    const panel = await startPanel({ portRange: { first: 21000, last: 21005 } });
    try {
      const admin = await login(panel.app, ADMIN.email, ADMIN.password);
      // Three tenants of two ports each fill 21000-21005.
      const first = await makeTenant(panel.app, admin, 'fill-one');
      await makeTenant(panel.app, admin, 'fill-two');
      await makeTenant(panel.app, admin, 'fill-three');
      const body = {
        slug: 'no-room',
        name: 'No room',
        owner: { email: 'no-room@example.test', password: 'no-room-password-1' },
      };
      const res = await call(panel.app, admin, 'POST', '/api/v1/tenants', body);
      expect(res.statusCode).toBe(503);
      expect((res.json() as { error: { code: string } }).error.code).toBe('PORTS_EXHAUSTED');
      expect(await panel.db.tenant.count()).toBe(3);
      expect(await panel.db.user.count({ where: { email: 'no-room@example.test' } })).toBe(0);
      expect((await call(panel.app, admin, 'DELETE', `/api/v1/tenants/${first.id}`)).statusCode).toBe(200);
      expect(await panel.db.portAllocation.count({ where: { tenantId: first.id } })).toBe(0);
      const retry = await call(panel.app, admin, 'POST', '/api/v1/tenants', body);
      expect(retry.statusCode).toBe(201);
      expect((retry.json() as { ports: { web: number } }).ports.web).toBe(21000);
    } finally {
      await panel.close();
    }
  });
});
