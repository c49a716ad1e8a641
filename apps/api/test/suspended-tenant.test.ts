import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, bearer, call, countRows, login, startPanel, type Caller, type TestPanel } from './helpers.js';
import { documentedRoutes, fillPath, makeTarget, PUBLIC, ROUTES, type Target } from './route-samples.js';

/**
 * Suspended means suspended. Generated from the OpenAPI document like the authorization matrix: every
 * write route is called as the suspended tenant's own session and its own full token, and each must answer
 * 409 TENANT_SUSPENDED and change nothing, so a new route is covered without touching this test. Signing
 * out and the user's own sign-in (password, two-factor) stay open; admins and billing tokens are not held back.
 */

/** The writes a suspended tenant's user may still make: sign-out and its own sign-in (suspendedTenantMay in auth/principal.ts). */
const stillAllowed = (route: string) =>
  route === 'POST /api/v1/auth/logout' || route.split(' ')[1]!.startsWith('/api/v1/me/');

describe('a suspended tenant', () => {
  let panel: TestPanel;
  let admin: Caller;
  let t: Target;
  let writes: string[];

  beforeAll(async () => {
    panel = await startPanel();
    const { app } = panel;
    admin = await login(app, ADMIN.email, ADMIN.password);
    t = await makeTarget(app, admin, panel.ports);
    writes = (await documentedRoutes(app)).filter((r) => !r.startsWith('GET ') && !PUBLIC.has(r) && !stillAllowed(r));
    expect((await call(app, admin, 'POST', `/api/v1/tenants/${t.a.id}/suspend`)).json()).toMatchObject({
      status: 'suspended',
    });
  });

  afterAll(async () => {
    await panel.close();
  });

  it('is refused every write with 409 TENANT_SUSPENDED, through its session and its token, and nothing changes', async () => {
    const { app, db } = panel;
    expect(writes.length).toBeGreaterThan(25);
    const before = {
      rows: await countRows(db),
      tenant: await db.tenant.findUniqueOrThrow({ where: { id: t.a.id } }),
      site: await db.site.findUniqueOrThrow({ where: { id: t.a.siteId } }),
    };
    const problems: string[] = [];
    for (const [who, caller] of [
      ['session', t.a.owner],
      ['full token', bearer(t.a.token)],
      ['read token', bearer(t.a.readToken)],
    ] as const) {
      for (const route of writes) {
        const [method] = route.split(' ');
        const res = await call(app, caller, method as 'POST', fillPath(route, t), ROUTES[route]?.body?.(t));
        const code = (res.json() as { error?: { code?: string } }).error?.code;
        if (res.statusCode !== 409 || code !== 'TENANT_SUSPENDED')
          problems.push(`${route} as ${who} → ${res.statusCode} ${code ?? ''}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await countRows(db)).toEqual(before.rows);
    expect(await db.tenant.findUniqueOrThrow({ where: { id: t.a.id } })).toEqual(before.tenant);
    expect(await db.site.findUniqueOrThrow({ where: { id: t.a.siteId } })).toEqual(before.site);
    // Each refusal is in the audit trail.
    expect(await db.event.count({ where: { tenantId: t.a.id, result: 'error', message: 'HTTP 409' } })).toBe(
      writes.length * 3,
    );
  });

  it('still reads, changes its own password and signs out', async () => {
    const { app } = panel;
    expect((await call(app, bearer(t.a.token), 'GET', `/api/v1/sites/${t.a.siteId}`)).statusCode).toBe(200);
    expect((await call(app, t.a.owner, 'GET', '/api/v1/events')).statusCode).toBe(200);
    const changed = await call(app, t.a.owner, 'POST', '/api/v1/me/password', {
      currentPassword: 'alpha-password-123',
      newPassword: 'alpha-password-456',
    });
    expect(changed.statusCode).toBe(200);
    expect((await call(app, t.a.owner, 'POST', '/api/v1/auth/logout')).statusCode).toBe(200);
    expect((await call(app, t.a.owner, 'GET', '/api/v1/me')).statusCode).toBe(401);
    t.a.owner = await login(app, t.a.ownerEmail, 'alpha-password-456');
  });

  it('is not held against admins and billing tokens, who change its plan and unsuspend it', async () => {
    const { app } = panel;
    const billing = bearer(
      (
        (await call(app, admin, 'POST', '/api/v1/tokens', { name: 'whmcs', scope: 'billing' })).json() as {
          secret: string;
        }
      ).secret,
    );
    expect(
      (
        await call(app, billing, 'PUT', `/api/v1/accounts/${t.a.id}/plan`, {
          planId: (await panel.db.plan.findFirstOrThrow({ where: { name: { not: 'Alpha plan' } } })).id,
        })
      ).statusCode,
    ).toBe(200);
    expect((await call(app, admin, 'PATCH', `/api/v1/tenants/${t.a.id}`, { name: 'Alpha renamed' })).statusCode).toBe(
      200,
    );
    expect((await call(app, billing, 'POST', `/api/v1/accounts/${t.a.id}/unsuspend`)).json()).toMatchObject({
      status: 'active',
    });
    // Unsuspended, its token writes again at once.
    expect(
      (await call(app, bearer(t.a.token), 'POST', '/api/v1/tokens', { name: 'after', scope: 'read' })).statusCode,
    ).toBe(201);
    expect((await call(app, t.a.owner, 'PATCH', `/api/v1/tenants/${t.a.id}`, { webserver: 'apache' })).statusCode).toBe(
      200,
    );
  });
});
