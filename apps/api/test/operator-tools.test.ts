import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN,
  anonymous,
  bearer,
  call,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TenantFixture,
  type TestPanel,
} from './helpers.js';

/**
 * Operator tools (issue 15, item 4): an administrator signs in as a tenant and returns, resets the owner's
 * password, and suspends with a reason the tenant's users see.
 */

interface SessionBody {
  user: { id: string; email: string; role: string; tenantId: string | null };
  csrfToken: string;
  tenant?: { id: string; name: string; status: string; suspendedReason: string | null };
  impersonatedBy?: { email: string; expiresAt: string };
}

/** asCaller turns a response that set the session cookie into the browser that holds it. */
function asCaller(res: LightMyRequestResponse): Caller {
  const cookie = res.cookies.find((c) => c.name === 'berth_session');
  if (!cookie?.value) throw new Error(`no session cookie: ${res.statusCode} ${res.body}`);
  return { headers: { cookie: `berth_session=${cookie.value}` }, csrf: (res.json() as SessionBody).csrfToken };
}

function codeOf(res: LightMyRequestResponse): string | undefined {
  return (res.json() as { error?: { code?: string } }).error?.code;
}

async function mintToken(panel: TestPanel, caller: Caller, scope: 'read' | 'full' | 'billing'): Promise<Caller> {
  const res = await call(panel.app, caller, 'POST', '/api/v1/tokens', { name: `op ${scope}`, scope });
  if (res.statusCode !== 201) throw new Error(`token: ${res.body}`);
  return bearer((res.json() as { secret: string }).secret);
}

describe('signing in as a tenant', () => {
  let panel: TestPanel;
  let admin: Caller;
  let adminId: string;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeEach(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    adminId = (await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } })).id;
    a = await makeTenant(panel.app, admin, 'alpha');
    b = await makeTenant(panel.app, admin, 'bravo');
  });
  afterEach(async () => {
    await panel.close();
  });

  async function impersonate(tenantId = a.id): Promise<{ res: LightMyRequestResponse; as: Caller }> {
    const res = await call(panel.app, admin, 'POST', `/api/v1/tenants/${tenantId}/impersonate`);
    expect(res.statusCode, res.body).toBe(200);
    return { res, as: asCaller(res) };
  }

  it("gives the administrator the owner's session for at most an hour, says so on /me, and records who started it", async () => {
    const before = Date.now();
    const { res, as } = await impersonate();
    const body = res.json() as SessionBody;
    expect(body.user).toMatchObject({ email: a.ownerEmail, role: 'tenant-owner', tenantId: a.id });
    expect(body.impersonatedBy?.email).toBe(ADMIN.email);
    expect(body.tenant).toMatchObject({ id: a.id, name: 'Tenant alpha', status: 'active' });
    const expiresAt = Date.parse(body.impersonatedBy!.expiresAt);
    expect(expiresAt).toBeGreaterThan(before + 59 * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
    expect(res.cookies.find((c) => c.name === 'berth_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    const me = (await call(panel.app, as, 'GET', '/api/v1/me')).json() as SessionBody;
    expect(me.user.email).toBe(a.ownerEmail);
    expect(me.impersonatedBy?.email).toBe(ADMIN.email);
    // The owner's own session says nothing of it.
    expect((await call(panel.app, a.owner, 'GET', '/api/v1/me')).json()).not.toHaveProperty('impersonatedBy');

    const started = await panel.db.event.findFirstOrThrow({ where: { action: 'tenant.impersonation-started' } });
    expect(started).toMatchObject({ actor: `user:${adminId}`, tenantId: a.id, targetId: a.id, result: 'ok' });
    const owner = await panel.db.user.findUniqueOrThrow({ where: { email: a.ownerEmail } });
    expect(JSON.parse(started.details!)).toMatchObject({ userId: owner.id, email: a.ownerEmail });
  });

  it("has exactly the owner's rights: its own tenant only, nothing an administrator may do", async () => {
    const { as } = await impersonate();
    const tenants = (await call(panel.app, as, 'GET', '/api/v1/tenants')).json() as { items: { id: string }[] };
    expect(tenants.items.map((t) => t.id)).toEqual([a.id]);
    expect((await call(panel.app, as, 'GET', `/api/v1/sites/${a.siteId}`)).statusCode).toBe(200);
    expect((await call(panel.app, as, 'GET', `/api/v1/sites/${b.siteId}`)).statusCode).toBe(404);
    expect((await call(panel.app, as, 'GET', `/api/v1/tenants/${b.id}`)).statusCode).toBe(404);
    expect((await call(panel.app, as, 'GET', '/api/v1/system/health')).statusCode).toBe(403);
    const create = await call(panel.app, as, 'POST', '/api/v1/tenants', {
      slug: 'escalate',
      name: 'Escalate',
      owner: { email: 'escalate@example.test', password: 'escalate-password-123' },
    });
    expect(create.statusCode).toBe(403);
    expect((await call(panel.app, as, 'POST', `/api/v1/tenants/${a.id}/suspend`)).statusCode).toBe(403);
    // No impersonation from an impersonation: not of its own tenant, not of another.
    expect((await call(panel.app, as, 'POST', `/api/v1/tenants/${a.id}/impersonate`)).statusCode).toBe(403);
    expect((await call(panel.app, as, 'POST', `/api/v1/tenants/${b.id}/impersonate`)).statusCode).toBe(404);
    // Changing the owner's password still needs the owner's current one.
    const password = await call(panel.app, as, 'POST', '/api/v1/me/password', {
      currentPassword: 'not-the-owner-password',
      newPassword: 'taken-over-password-123',
    });
    expect(password.statusCode).toBe(400);
    expect(await panel.db.event.count({ where: { action: 'tenant.impersonation-started' } })).toBe(1);
  });

  it('returns to the same administrator with a fresh session, ends the impersonation and records it', async () => {
    const { as } = await impersonate();
    const setAside = await panel.db.session.findFirstOrThrow({ where: { userId: adminId } });
    // A cookie mutation without the CSRF token is refused like any other.
    const noCsrf = await call(panel.app, as, 'POST', '/api/v1/auth/impersonation/end', undefined, { noCsrf: true });
    expect(noCsrf.statusCode).toBe(403);
    expect(codeOf(noCsrf)).toBe('CSRF_TOKEN_INVALID');

    const back = await call(panel.app, as, 'POST', '/api/v1/auth/impersonation/end');
    expect(back.statusCode, back.body).toBe(200);
    const body = back.json() as SessionBody;
    expect(body.user).toMatchObject({ id: adminId, email: ADMIN.email, role: 'admin' });
    expect(body).not.toHaveProperty('impersonatedBy');
    const again = asCaller(back);
    expect((await call(panel.app, again, 'GET', `/api/v1/tenants/${b.id}`)).statusCode).toBe(200);
    // The returned session ends when the administrator's own would have: returning never lengthens a sign-in.
    const fresh = await panel.db.session.findFirstOrThrow({ where: { userId: adminId } });
    expect(fresh.id).not.toBe(setAside.id);
    expect(fresh.expiresAt).toEqual(setAside.expiresAt);
    expect(fresh.impersonatorId).toBeNull();

    // The impersonation session and the set-aside one are gone; returning twice does nothing.
    expect((await call(panel.app, as, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await call(panel.app, as, 'POST', '/api/v1/auth/impersonation/end')).statusCode).toBe(401);
    expect((await call(panel.app, admin, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect(await panel.db.session.count({ where: { impersonatorId: { not: null } } })).toBe(0);

    const ended = await panel.db.event.findMany({ where: { action: 'tenant.impersonation-ended' } });
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ actor: `user:${adminId}`, tenantId: a.id, result: 'ok' });
    expect(JSON.parse(ended[0]!.details!)).toMatchObject({ via: 'return', returned: true });
  });

  it('returns only from an impersonation session', async () => {
    for (const [who, caller] of [
      ['the owner', a.owner],
      ['the administrator', admin],
      ['an admin token', await mintToken(panel, admin, 'full')],
      ["the owner's token", bearer(a.token)],
    ] as const) {
      const res = await call(panel.app, caller, 'POST', '/api/v1/auth/impersonation/end');
      expect(res.statusCode, who).toBe(403);
      expect(codeOf(res), who).toBe('FORBIDDEN');
    }
    expect((await call(panel.app, anonymous, 'POST', '/api/v1/auth/impersonation/end')).statusCode).toBe(401);
    expect(await panel.db.event.count({ where: { action: 'tenant.impersonation-ended' } })).toBe(0);
    // The owner's own session was not touched.
    expect((await call(panel.app, a.owner, 'GET', '/api/v1/me')).statusCode).toBe(200);
  });

  it('is for administrators signed in to the console only: tokens and tenant users are refused', async () => {
    const url = `/api/v1/tenants/${a.id}/impersonate`;
    for (const scope of ['full', 'billing', 'read'] as const) {
      const res = await call(panel.app, await mintToken(panel, admin, scope), 'POST', url);
      expect(res.statusCode, `admin ${scope} token`).toBe(403);
    }
    expect((await call(panel.app, a.owner, 'POST', url)).statusCode).toBe(403);
    expect((await call(panel.app, bearer(a.token), 'POST', url)).statusCode).toBe(403);
    expect((await call(panel.app, b.owner, 'POST', url)).statusCode).toBe(404);
    expect((await call(panel.app, admin, 'POST', url, undefined, { noCsrf: true })).statusCode).toBe(403);
    expect((await call(panel.app, admin, 'POST', '/api/v1/tenants/0000000000nothing/impersonate')).statusCode).toBe(
      404,
    );
    expect(await panel.db.session.count({ where: { impersonatorId: { not: null } } })).toBe(0);
    expect(await panel.db.event.count({ where: { action: 'tenant.impersonation-started' } })).toBe(0);
  });

  it("lives only while the administrator's own session does", async () => {
    // An administrator whose own session ends within the hour gets an impersonation that ends with it.
    const own = await panel.db.session.findFirstOrThrow({ where: { userId: adminId } });
    const soon = new Date(Date.now() + 10 * 60_000);
    await panel.db.session.update({ where: { id: own.id }, data: { expiresAt: soon } });
    panel.services.auth.forgetAll();
    const { res, as } = await impersonate();
    expect((res.json() as SessionBody).impersonatedBy?.expiresAt).toBe(soon.toISOString());

    // Ending the administrator's sign-in (a password change elsewhere, say) ends the impersonation too.
    await panel.db.session.delete({ where: { id: own.id } });
    panel.services.auth.forgetAll();
    expect((await call(panel.app, as, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await call(panel.app, as, 'POST', '/api/v1/auth/impersonation/end')).statusCode).toBe(401);
  });

  it('ends when the administrator is no longer one', async () => {
    const { as } = await impersonate();
    await panel.db.user.update({ where: { id: adminId }, data: { role: 'tenant-member', tenantId: b.id } });
    panel.services.auth.forgetAll();
    expect((await call(panel.app, as, 'GET', '/api/v1/me')).statusCode).toBe(401);
  });

  it('signing out while signed in as a tenant ends both sessions and records the end', async () => {
    const { as } = await impersonate();
    expect((await call(panel.app, as, 'POST', '/api/v1/auth/logout')).statusCode).toBe(200);
    expect((await call(panel.app, as, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await call(panel.app, admin, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect(await panel.db.session.count({ where: { userId: adminId } })).toBe(0);
    const ended = await panel.db.event.findFirstOrThrow({ where: { action: 'tenant.impersonation-ended' } });
    expect(JSON.parse(ended.details!)).toMatchObject({ via: 'sign-out', returned: false });
    // The owner's own session is not the impersonation's: it stays.
    expect((await call(panel.app, a.owner, 'GET', '/api/v1/me')).statusCode).toBe(200);
  });

  it('can look at a suspended tenant, change nothing there, and still return', async () => {
    await call(panel.app, admin, 'POST', `/api/v1/tenants/${a.id}/suspend`, { reason: 'Unpaid invoice' });
    const { res, as } = await impersonate();
    expect((res.json() as SessionBody).tenant).toMatchObject({
      status: 'suspended',
      suspendedReason: 'Unpaid invoice',
    });
    const write = await call(panel.app, as, 'PATCH', `/api/v1/tenants/${a.id}`, { varnishEnabled: true });
    expect(codeOf(write)).toBe('TENANT_SUSPENDED');
    const back = await call(panel.app, as, 'POST', '/api/v1/auth/impersonation/end');
    expect(back.statusCode, back.body).toBe(200);
    expect((back.json() as SessionBody).user.role).toBe('admin');
  });

  // Attribution of the events an impersonation session makes needs recordEvent (events/events.service.ts, not part
  // of this change) to add `impersonationDetails(ctx.principal)` from auth/principal.ts to every event's details.
  it('names the administrator in the details of what the impersonation session does, with the owner as actor', async () => {
    const { as } = await impersonate();
    const patch = await call(panel.app, as, 'PATCH', `/api/v1/tenants/${a.id}`, { varnishEnabled: true });
    expect(patch.statusCode).toBe(200);
    const owner = await panel.db.user.findUniqueOrThrow({ where: { email: a.ownerEmail } });
    const update = await panel.db.event.findFirstOrThrow({
      where: { action: 'tenant.update', actor: `user:${owner.id}` },
    });
    expect(JSON.parse(update.details!)).toMatchObject({ impersonatorId: adminId, varnishEnabled: true });
  });
});

describe('suspending with a reason', () => {
  let panel: TestPanel;
  let admin: Caller;
  let a: TenantFixture;

  beforeEach(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'alpha');
  });
  afterEach(async () => {
    await panel.close();
  });

  it("keeps the reason on the tenant, records it, shows it to the tenant's users, and unsuspending clears it", async () => {
    const reason = 'Invoice #42 is 30 days overdue <b>';
    const res = await call(panel.app, admin, 'POST', `/api/v1/tenants/${a.id}/suspend`, { reason: `  ${reason} ` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'suspended', suspendedReason: reason });
    const list = (await call(panel.app, admin, 'GET', '/api/v1/tenants?status=suspended')).json() as {
      items: { id: string; suspendedReason: string | null }[];
    };
    expect(list.items).toEqual([expect.objectContaining({ id: a.id, suspendedReason: reason })]);
    const event = await panel.db.event.findFirstOrThrow({ where: { action: 'tenant.suspend' } });
    expect(JSON.parse(event.details!)).toEqual({ reason });

    // The owner sees it at sign-in and on /me, and reads it on its tenant.
    const signIn = await call(panel.app, anonymous, 'POST', '/api/v1/auth/login', {
      email: a.ownerEmail,
      password: 'alpha-password-123',
    });
    expect((signIn.json() as SessionBody).tenant).toMatchObject({ status: 'suspended', suspendedReason: reason });
    expect(((await call(panel.app, a.owner, 'GET', '/api/v1/me')).json() as SessionBody).tenant).toMatchObject({
      suspendedReason: reason,
    });
    expect((await call(panel.app, a.owner, 'GET', `/api/v1/tenants/${a.id}`)).json()).toMatchObject({
      suspendedReason: reason,
    });

    const unsuspended = await call(panel.app, admin, 'POST', `/api/v1/tenants/${a.id}/unsuspend`);
    expect(unsuspended.json()).toMatchObject({ status: 'active', suspendedReason: null });
    expect((await panel.db.tenant.findUniqueOrThrow({ where: { id: a.id } })).suspendedReason).toBeNull();
    expect(((await call(panel.app, a.owner, 'GET', '/api/v1/me')).json() as SessionBody).tenant).toMatchObject({
      status: 'active',
      suspendedReason: null,
    });
  });

  it('suspends without a body or reason as before (billing systems), and refuses a bad reason at its field', async () => {
    const billing = await mintToken(panel, admin, 'billing');
    const plain = await call(panel.app, billing, 'POST', `/api/v1/tenants/${a.id}/suspend`);
    expect(plain.statusCode, plain.body).toBe(200);
    expect(plain.json()).toMatchObject({ status: 'suspended', suspendedReason: null });
    expect((await panel.db.event.findFirstOrThrow({ where: { action: 'tenant.suspend' } })).details).toBeNull();
    const blank = await call(panel.app, admin, 'POST', `/api/v1/tenants/${a.id}/suspend`, { reason: '   ' });
    expect(blank.json()).toMatchObject({ suspendedReason: null });

    for (const bad of ['x'.repeat(301), 'two\nlines', 'nul\u0000byte']) {
      const res = await call(panel.app, admin, 'POST', `/api/v1/tenants/${a.id}/suspend`, { reason: bad });
      expect(res.statusCode).toBe(400);
      const error = (res.json() as { error: { code: string; details: { issues: { path: string[] }[] } } }).error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details.issues[0]!.path).toEqual(['reason']);
    }
    expect(
      (await call(panel.app, admin, 'POST', `/api/v1/tenants/${a.id}/suspend`, { reason: 'x'.repeat(300) })).statusCode,
    ).toBe(200);
    // Tenant users cannot suspend, with or without a reason.
    expect(
      (await call(panel.app, bearer(a.token), 'POST', `/api/v1/tenants/${a.id}/suspend`, { reason: 'me' })).statusCode,
    ).toBe(409);
  });
});

describe("resetting the owner's password from the console", () => {
  let panel: TestPanel;

  beforeEach(async () => {
    panel = await startPanel();
  });
  afterEach(async () => {
    await panel.close();
  });

  it("works from an administrator session through PUT /accounts/{id}/password, ends the owner's sessions and records it", async () => {
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const a = await makeTenant(panel.app, admin, 'alpha');
    const res = await call(panel.app, admin, 'PUT', `/api/v1/accounts/${a.id}/password`, {
      password: 'reset-by-operator-123',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await call(panel.app, a.owner, 'GET', '/api/v1/me')).statusCode).toBe(401);
    await login(panel.app, a.ownerEmail, 'reset-by-operator-123');
    const adminId = (await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } })).id;
    const event = await panel.db.event.findFirstOrThrow({ where: { action: 'user.password-reset' } });
    expect(event).toMatchObject({ actor: `user:${adminId}`, tenantId: a.id, result: 'ok' });
    expect(event.details ?? '').not.toContain('reset-by-operator-123');
  });
});
