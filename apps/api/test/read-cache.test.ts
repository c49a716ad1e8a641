import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, bearer, call, login, makeTenant, startPanel, type Caller, type TestPanel } from './helpers.js';

describe('read cache', () => {
  let panel: TestPanel;
  let admin: Caller;
  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await panel.close();
  });

  const names = async (caller: Caller) =>
    (
      (await call(panel.app, caller, 'GET', '/api/v1/sites')).json() as { items: { name: string; tenantId: string }[] }
    ).items.map((s) => s.name);

  it('shows a write on the very next read, and never serves one tenant another tenant’s cached answer', async () => {
    const a = await makeTenant(panel.app, admin, 'cache-a');
    const b = await makeTenant(panel.app, admin, 'cache-b');
    expect(await names(a.owner)).toEqual(['www']);
    expect(await names(a.owner)).toEqual(['www']);
    // Same URL, other tenant, other principal kinds: their own answers.
    expect(await names(b.owner)).toEqual(['www']);
    const bSites = (await call(panel.app, bearer(b.readToken), 'GET', '/api/v1/sites')).json() as {
      items: { tenantId: string }[];
    };
    expect(bSites.items.map((s) => s.tenantId)).toEqual([b.id]);
    expect((await names(admin)).length).toBe(2);
    // A write invalidates at once.
    expect(
      (await call(panel.app, a.owner, 'POST', '/api/v1/sites', { name: 'blog', runtime: { kind: 'static' } }))
        .statusCode,
    ).toBe(201);
    expect(await names(a.owner)).toEqual(['www', 'blog']);
    expect(await names(b.owner)).toEqual(['www']);
    // A write by something other than the API (the reconciler's status updates) too.
    await panel.db.site.update({ where: { id: a.siteId }, data: { status: 'live' } });
    const site = (await call(panel.app, a.owner, 'GET', `/api/v1/sites/${a.siteId}`)).json() as { status: string };
    expect(site.status).toBe('live');
    // A billing token never gets a cached site list of an admin.
    const billing = (
      await call(panel.app, admin, 'POST', '/api/v1/tokens', { name: 'bill', scope: 'billing' })
    ).json() as { secret: string };
    expect((await call(panel.app, bearer(billing.secret), 'GET', '/api/v1/sites')).statusCode).toBe(403);
  });
});
