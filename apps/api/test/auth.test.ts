import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, anonymous, bearer, call, login, makeTenant, startPanel, type TestPanel } from './helpers.js';

describe('authentication', () => {
  let panel: TestPanel;
  beforeEach(async () => {
    panel = await startPanel();
  });
  afterEach(async () => {
    await panel.close();
  });

  it('signs in with a HttpOnly SameSite=Strict cookie and returns the user and a CSRF token', async () => {
    const res = await panel.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ' Admin@Example.test ', password: ADMIN.password },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { user: { email: string; role: string }; csrfToken: string };
    expect(body.user).toMatchObject({ email: ADMIN.email, role: 'admin' });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(res.body).not.toContain('passwordHash');
    const cookie = res.cookies.find((c) => c.name === 'berth_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const me = await panel.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: `berth_session=${cookie.value}` },
    });
    expect(me.statusCode).toBe(200);
    expect((me.json() as { csrfToken: string }).csrfToken).toBe(body.csrfToken);
    // Only a hash of the cookie is stored.
    const stored = await panel.db.session.findMany();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).not.toContain(cookie.value);
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const wrong = await call(panel.app, anonymous, 'POST', '/api/v1/auth/login', {
      email: ADMIN.email,
      password: 'not-the-password',
    });
    const unknown = await call(panel.app, anonymous, 'POST', '/api/v1/auth/login', {
      email: 'nobody@example.test',
      password: 'not-the-password',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect((wrong.json() as { error: { code: string } }).error.code).toBe('INVALID_CREDENTIALS');
    const events = await panel.db.event.findMany({ where: { action: 'auth.login', result: 'error' } });
    expect(events).toHaveLength(2);
  });

  it('refuses a cookie-authenticated mutation without the X-CSRF-Token header, and with a wrong one', async () => {
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const body = {
      slug: 'csrf-test',
      name: 'CSRF',
      owner: { email: 'csrf@example.test', password: 'csrf-password-123' },
    };
    const missing = await call(panel.app, admin, 'POST', '/api/v1/tenants', body, { noCsrf: true });
    expect(missing.statusCode).toBe(403);
    expect((missing.json() as { error: { code: string } }).error.code).toBe('CSRF_TOKEN_INVALID');
    const wrong = await call(panel.app, { ...admin, csrf: 'x'.repeat(43) }, 'POST', '/api/v1/tenants', body);
    expect(wrong.statusCode).toBe(403);
    expect(await panel.db.tenant.count()).toBe(0);
    const right = await call(panel.app, admin, 'POST', '/api/v1/tenants', body);
    expect(right.statusCode).toBe(201);
  });

  it('logs out: the cookie stops working at once', async () => {
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    expect((await call(panel.app, admin, 'GET', '/api/v1/me')).statusCode).toBe(200);
    expect((await call(panel.app, admin, 'POST', '/api/v1/auth/logout')).statusCode).toBe(200);
    expect((await call(panel.app, admin, 'GET', '/api/v1/me')).statusCode).toBe(401);
  });

  it('slows repeated failures per (account, address) and per address without locking the account', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await call(panel.app, anonymous, 'POST', '/api/v1/auth/login', {
        email: ADMIN.email,
        password: `wrong-${i}`,
      });
      expect(res.statusCode).toBe(401);
    }
    const slowed = await call(panel.app, anonymous, 'POST', '/api/v1/auth/login', ADMIN);
    expect(slowed.statusCode).toBe(429);
    expect((slowed.json() as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThan(0);
    // The account itself is not locked: the same password from another address gets in.
    expect(
      (
        await panel.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: '192.0.2.10',
          payload: ADMIN,
        })
      ).statusCode,
    ).toBe(200);
    expect(await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } })).toMatchObject({
      failedLogins: 0,
      lockedUntil: null,
    });
  });

  it('bearer tokens: shown once, stored hashed, scoped, revocable and expiring', async () => {
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const tenant = await makeTenant(panel.app, admin, 'tokens');
    const list = await call(panel.app, tenant.owner, 'GET', '/api/v1/tokens');
    expect(list.body).not.toContain(tenant.token.split('_')[2]!);
    const stored = await panel.db.apiToken.findMany();
    for (const row of stored) expect(tenant.token).not.toContain(row.secretHash);
    // full token writes, read token reads only.
    expect(
      (
        await call(panel.app, bearer(tenant.token), 'POST', '/api/v1/sites', {
          name: 'api',
          runtime: { kind: 'static' },
        })
      ).statusCode,
    ).toBe(201);
    const refused = await call(panel.app, bearer(tenant.readToken), 'POST', '/api/v1/sites', {
      name: 'nope',
      runtime: { kind: 'static' },
    });
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    // A tenant cannot mint billing tokens.
    expect(
      (await call(panel.app, tenant.owner, 'POST', '/api/v1/tokens', { name: 'b', scope: 'billing' })).statusCode,
    ).toBe(403);
    // Revocation is immediate.
    const tokens = (await call(panel.app, tenant.owner, 'GET', '/api/v1/tokens')).json() as {
      items: { id: string; name: string }[];
    };
    const fullId = tokens.items.find((x) => x.name === 'full')!.id;
    expect((await call(panel.app, tenant.owner, 'DELETE', `/api/v1/tokens/${fullId}`)).statusCode).toBe(200);
    expect((await call(panel.app, bearer(tenant.token), 'GET', '/api/v1/me')).statusCode).toBe(401);
    // Expired tokens are refused.
    const exp = (
      await call(panel.app, tenant.owner, 'POST', '/api/v1/tokens', { name: 'short', scope: 'full', expiresInDays: 1 })
    ).json() as { token: { id: string }; secret: string };
    expect((await call(panel.app, bearer(exp.secret), 'GET', '/api/v1/me')).statusCode).toBe(200);
    await panel.db.apiToken.update({ where: { id: exp.token.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    panel.services.auth.forgetAll();
    expect((await call(panel.app, bearer(exp.secret), 'GET', '/api/v1/me')).statusCode).toBe(401);
    // Garbage tokens are 401, not 500.
    expect((await call(panel.app, bearer('berth_garbage'), 'GET', '/api/v1/me')).statusCode).toBe(401);
  });

  it('changes a password: the old one stops working and other sessions end', async () => {
    const first = await login(panel.app, ADMIN.email, ADMIN.password);
    const second = await login(panel.app, ADMIN.email, ADMIN.password);
    const bad = await call(panel.app, first, 'POST', '/api/v1/me/password', {
      currentPassword: 'wrong',
      newPassword: 'brand-new-password-1',
    });
    expect(bad.statusCode).toBe(400);
    const ok = await call(panel.app, first, 'POST', '/api/v1/me/password', {
      currentPassword: ADMIN.password,
      newPassword: 'brand-new-password-1',
    });
    expect(ok.statusCode).toBe(200);
    expect((await call(panel.app, first, 'GET', '/api/v1/me')).statusCode).toBe(200);
    expect((await call(panel.app, second, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await call(panel.app, anonymous, 'POST', '/api/v1/auth/login', ADMIN)).statusCode).toBe(401);
    await login(panel.app, ADMIN.email, 'brand-new-password-1');
  });
});
