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
import { documentedRoutes, fillPath, makeTarget, PUBLIC, ROUTES, type Target } from './route-samples.js';

/**
 * The authorization matrix is generated from the OpenAPI document: every documented route is called as
 * anonymous, as another tenant's user (session and token), and with read-only tokens for writes. A new
 * route that is not described in ROUTES (route-samples.ts) fails the test, so nothing ships outside the matrix.
 */

describe('authorization matrix (from the OpenAPI document)', () => {
  let panel: TestPanel;
  let t: Target;
  let routes: string[];
  let secrets: string[];
  const leaks: string[] = [];

  beforeAll(async () => {
    panel = await startPanel();
    const { app } = panel;
    const admin = await login(app, ADMIN.email, ADMIN.password);
    t = await makeTarget(app, admin, panel.ports);
    const { a, alphaPlanId, alphaTokenId } = t;
    secrets = [
      a.id,
      a.slug,
      a.siteId,
      a.domainId,
      a.hostname,
      a.ownerEmail,
      alphaPlanId,
      alphaTokenId,
      t.databaseId,
      t.databaseUserId,
      'alpha_shop',
    ];
    routes = await documentedRoutes(app);
  });

  afterAll(async () => {
    await panel.close();
  });

  it('describes every documented route', () => {
    expect(routes.length).toBeGreaterThan(25);
    const undocumented = routes.filter((r) => !PUBLIC.has(r) && !ROUTES[r]);
    expect(undocumented, 'routes missing from the authorization matrix').toEqual([]);
  });

  it('documents the error answers of every operation with the one error body', async () => {
    const doc = (await call(panel.app, anonymous, 'GET', '/api/v1/openapi.json')).json() as {
      paths: Record<
        string,
        Record<
          string,
          { responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }> }
        >
      >;
      components?: { schemas?: Record<string, unknown> };
    };
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const status of ['400', '401', '403', '404', '409', '422', '429']) {
          const schema = op.responses?.[status]?.content?.['application/json']?.schema as { $ref?: string } | undefined;
          if (schema?.$ref !== '#/components/schemas/ErrorBody' || !op.responses?.[status]?.description)
            missing.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
    // The error body is what the error handler sends: { error: { code, message, details? } }.
    const body = doc.components?.schemas?.ErrorBody as {
      properties: {
        error: { required: string[]; properties: { code: { enum: string[] }; message: unknown; details: unknown } };
      };
    };
    expect(body.properties.error.required).toEqual(['code', 'message']);
    expect(body.properties.error.properties.code.enum).toEqual(
      expect.arrayContaining(['VALIDATION_FAILED', 'UNAUTHENTICATED', 'NOT_FOUND', 'TENANT_SUSPENDED', 'RATE_LIMITED']),
    );
    const refused = await call(panel.app, anonymous, 'GET', '/api/v1/sites');
    expect(Object.keys(refused.json() as object)).toEqual(['error']);
  });

  it('refuses anonymous callers on every non-public route with 401', async () => {
    for (const route of routes.filter((r) => !PUBLIC.has(r))) {
      const [method] = route.split(' ');
      const res = await call(panel.app, anonymous, method as 'GET', fillPath(route, t), ROUTES[route]?.body?.(t));
      if (res.statusCode !== 401) leaks.push(`${route} anonymous → ${res.statusCode}`);
      else expect((res.json() as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    }
    expect(leaks).toEqual([]);
  });

  it("never lets another tenant's session or token see or change tenant A", async () => {
    const { app } = panel;
    const admin = await login(app, ADMIN.email, ADMIN.password);
    const b = await makeTenant(app, admin, 'bravo');
    const callers: [string, Caller][] = [
      ['bravo session', b.owner],
      ['bravo token', bearer(b.token)],
    ];
    // Logout last, so the session is still valid for everything else.
    const ordered = routes
      .filter((r) => !PUBLIC.has(r))
      .sort((x, y) => Number(x.includes('/logout')) - Number(y.includes('/logout')));
    for (const [who, caller] of callers) {
      for (const route of ordered) {
        const spec = ROUTES[route]!;
        const [method] = route.split(' ');
        const res = await call(app, caller, method as 'GET', fillPath(route, t), spec.body?.(t));
        const text = res.body;
        const leaked = secrets.filter((s) => text.includes(s));
        if (leaked.length > 0) leaks.push(`${route} as ${who} leaked ${leaked.join(', ')}`);
        if (spec.owner === 'tenant-a' && res.statusCode !== 404)
          leaks.push(`${route} as ${who} → ${res.statusCode} (want 404)`);
        if (spec.owner === 'admin' && res.statusCode !== 403)
          leaks.push(`${route} as ${who} → ${res.statusCode} (want 403)`);
        if ((spec.owner === 'list' || spec.owner === 'self') && res.statusCode >= 500)
          leaks.push(`${route} as ${who} → ${res.statusCode}`);
      }
    }
    expect(leaks).toEqual([]);
    // Tenant A is exactly as it was.
    const site = await call(app, t.a.owner, 'GET', `/api/v1/sites/${t.a.siteId}`);
    expect(site.statusCode).toBe(200);
    expect((site.json() as { runtime: { version: string }; domains: string[] }).runtime.version).toBe('8.2');
    expect((site.json() as { domains: string[] }).domains).toEqual([t.a.hostname]);
    const tenant = (await call(app, t.a.owner, 'GET', `/api/v1/tenants/${t.a.id}`)).json() as {
      status: string;
      varnishEnabled: boolean;
    };
    expect(tenant).toMatchObject({ status: 'active', varnishEnabled: false });
    expect((await call(app, bearer(t.a.token), 'GET', '/api/v1/me')).statusCode).toBe(200);
  });

  it('refuses every write with a read-only token (403), for tenants and admins alike', async () => {
    const { app } = panel;
    const admin = await login(app, ADMIN.email, ADMIN.password);
    const adminRead = (
      await call(app, admin, 'POST', '/api/v1/tokens', { name: 'admin read', scope: 'read' })
    ).json() as { secret: string };
    const writes = routes.filter((r) => !PUBLIC.has(r) && !r.startsWith('GET ') && r !== 'POST /api/v1/auth/logout');
    for (const [who, secret] of [
      ['tenant read token', t.a.readToken],
      ['admin read token', adminRead.secret],
    ] as const) {
      for (const route of writes) {
        const [method] = route.split(' ');
        const res = await call(app, bearer(secret), method as 'POST', fillPath(route, t), ROUTES[route]?.body?.(t));
        if (res.statusCode !== 403) leaks.push(`${route} with ${who} → ${res.statusCode} (want 403)`);
      }
    }
    expect(leaks).toEqual([]);
    // The read-only tokens can still read.
    expect((await call(app, bearer(t.a.readToken), 'GET', `/api/v1/sites/${t.a.siteId}`)).statusCode).toBe(200);
  });
});
