import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { totpCode } from '../src/auth/totp.js';
import { mintToken } from '../src/tokens/tokens.service.js';
import { ADMIN, anonymous, bearer, call, login, startPanel, type Caller, type TestPanel } from './helpers.js';

/** T0 is the start of a 30-second TOTP step plus 5 s; the tests move the clock in whole steps from it. */
const T0 = Math.floor(Date.UTC(2026, 11, 1, 12) / 30_000) * 30_000 + 5_000;
const STEP = 30_000;

const errorOf = (res: LightMyRequestResponse) =>
  (res.json() as { error: { code: string; message: string; details?: { issues?: { path: string[] }[] } } }).error;

function sessionOf(res: LightMyRequestResponse): Caller {
  const cookie = res.cookies.find((c) => c.name === 'berth_session');
  if (!cookie) throw new Error(`no session cookie: ${res.statusCode} ${res.body}`);
  return {
    headers: { cookie: `berth_session=${cookie.value}` },
    csrf: (res.json() as { csrfToken: string }).csrfToken,
  };
}

/** enrol runs the whole enrolment for a signed-in user at the current (fake) time. */
async function enrol(
  panel: TestPanel,
  caller: Caller,
  password: string,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const started = await call(panel.app, caller, 'POST', '/api/v1/me/two-factor/enrolment', {
    currentPassword: password,
  });
  expect(started.statusCode).toBe(200);
  const { secret } = started.json() as { secret: string };
  const confirmed = await call(panel.app, caller, 'POST', '/api/v1/me/two-factor/enrolment/confirm', {
    code: totpCode(secret, Date.now()),
  });
  expect(confirmed.statusCode).toBe(200);
  return { secret, recoveryCodes: (confirmed.json() as { recoveryCodes: string[] }).recoveryCodes };
}

describe('two-factor sign-in (TOTP)', () => {
  let panel: TestPanel;
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    panel = await startPanel();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await panel.close();
  });

  const loginStep = (password = ADMIN.password, remoteAddress = '192.0.2.50') =>
    panel.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress,
      payload: { email: ADMIN.email, password },
    });
  const codeStep = (body: Record<string, string>, remoteAddress = '192.0.2.50') =>
    panel.app.inject({ method: 'POST', url: '/api/v1/auth/login/totp', remoteAddress, payload: body });

  it('enrols: password again, a secret and otpauth URI, confirmed by a code, ten recovery codes shown once', async () => {
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    expect((await call(panel.app, admin, 'GET', '/api/v1/me/two-factor')).json()).toEqual({
      enabled: false,
      enabledAt: null,
      recoveryCodesLeft: 0,
      enrolmentRequired: false,
    });
    const wrongPassword = await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/enrolment', {
      currentPassword: 'not-my-password',
    });
    expect(wrongPassword.statusCode).toBe(400);
    expect(errorOf(wrongPassword).details?.issues?.[0]?.path).toEqual(['currentPassword']);
    expect(
      (await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/enrolment/confirm', { code: '123456' })).statusCode,
    ).toBe(409);

    const started = await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/enrolment', {
      currentPassword: ADMIN.password,
    });
    expect(started.statusCode).toBe(200);
    const { secret, otpauthUri } = started.json() as { secret: string; otpauthUri: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toBe(
      `otpauth://totp/Berth:admin%40example.test?secret=${secret}&issuer=Berth&algorithm=SHA1&digits=6&period=30`,
    );
    // Nothing changes until confirmed.
    expect((await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } })).totpEnabledAt).toBeNull();
    const wrongCode = await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/enrolment/confirm', {
      code: totpCode(secret, T0 + 5 * STEP),
    });
    expect(wrongCode.statusCode).toBe(400);
    expect(errorOf(wrongCode).details?.issues?.[0]?.path).toEqual(['code']);

    const confirmed = await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/enrolment/confirm', {
      code: totpCode(secret, T0),
    });
    expect(confirmed.statusCode).toBe(200);
    const { recoveryCodes } = confirmed.json() as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    const row = await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    expect(row.totpEnabledAt).not.toBeNull();
    expect(row.totpSecretEnc).not.toContain(secret);
    expect(panel.services.dataKey.decrypt(row.totpSecretEnc!)).toBe(secret);
    const stored = JSON.parse(row.recoveryCodeHashes) as string[];
    expect(stored).toHaveLength(10);
    for (const code of recoveryCodes) expect(row.recoveryCodeHashes).not.toContain(code.replace(/-/g, ''));
    expect((await call(panel.app, admin, 'GET', '/api/v1/me/two-factor')).json()).toMatchObject({
      enabled: true,
      recoveryCodesLeft: 10,
    });
    expect(
      (await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/enrolment', { currentPassword: ADMIN.password }))
        .statusCode,
    ).toBe(409);
    const events = await panel.db.event.findMany({
      where: { action: { startsWith: 'user.two-factor' } },
      orderBy: { at: 'asc' },
    });
    expect(events.map((e) => e.action)).toEqual(['user.two-factor-enrol', 'user.two-factor-confirm']);
  });

  it('signs in with password then code; the password alone opens nothing and a code is good once', async () => {
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const { secret } = await enrol(panel, admin, ADMIN.password);
    const token = (
      await call(panel.app, admin, 'POST', '/api/v1/tokens', { name: 'script', scope: 'read' })
    ).json() as { secret: string };

    const first = await loginStep();
    expect(first.statusCode).toBe(200);
    expect(first.cookies).toEqual([]);
    const { twoFactor, challenge } = first.json() as { twoFactor: string; challenge: string };
    expect(twoFactor).toBe('required');
    // The challenge is not a session.
    expect(
      (await call(panel.app, { headers: { cookie: `berth_session=${challenge}` } }, 'GET', '/api/v1/me')).statusCode,
    ).toBe(401);
    // A wrong password never yields a challenge.
    expect(errorOf(await loginStep('wrong-password-123')).code).toBe('INVALID_CREDENTIALS');

    // The code that confirmed enrolment (this step) was used already.
    const replayedConfirm = await codeStep({ challenge, code: totpCode(secret, T0) });
    expect(replayedConfirm.statusCode).toBe(401);
    expect(errorOf(replayedConfirm).code).toBe('TOTP_CODE_INVALID');

    vi.setSystemTime(T0 + STEP);
    const code = totpCode(secret, Date.now());
    const second = await codeStep({ challenge, code });
    expect(second.statusCode).toBe(200);
    const session = sessionOf(second);
    expect((await call(panel.app, session, 'GET', '/api/v1/me')).json()).toMatchObject({
      user: { email: ADMIN.email },
      twoFactor: { enabled: true, enrolmentRequired: false },
    });
    expect(
      (await call(panel.app, session, 'POST', '/api/v1/tokens', { name: 'after sign-in', scope: 'read' })).statusCode,
    ).toBe(201);

    // The challenge is single-use, and so is the code, even with a fresh challenge.
    expect(errorOf(await codeStep({ challenge, code })).code).toBe('TOTP_CHALLENGE_INVALID');
    const again = (await loginStep()).json() as { challenge: string };
    expect(errorOf(await codeStep({ challenge: again.challenge, code })).code).toBe('TOTP_CODE_INVALID');
    vi.setSystemTime(T0 + 2 * STEP);
    expect((await codeStep({ challenge: again.challenge, code: totpCode(secret, Date.now()) })).statusCode).toBe(200);

    // API tokens are not asked for a code.
    expect((await call(panel.app, bearer(token.secret), 'GET', '/api/v1/tenants')).statusCode).toBe(200);
    const logins = await panel.db.event.findMany({ where: { action: 'auth.login', result: 'ok' } });
    expect(logins.filter((e) => e.details?.includes('"secondFactor":"totp"'))).toHaveLength(2);
    expect(await panel.db.event.count({ where: { action: 'auth.login-password' } })).toBe(2);
  });

  it('ends a challenge after five wrong codes and slows code guessing like passwords', async () => {
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const { secret } = await enrol(panel, admin, ADMIN.password);
    vi.setSystemTime(T0 + STEP);
    const good = totpCode(secret, Date.now());
    const wrong = good === '000000' ? '000001' : '000000';
    const { challenge } = (await loginStep(ADMIN.password, '192.0.2.60')).json() as { challenge: string };
    for (let i = 0; i < 5; i++)
      expect(errorOf(await codeStep({ challenge, code: wrong }, '192.0.2.60')).code).toBe('TOTP_CODE_INVALID');
    expect(errorOf(await codeStep({ challenge, code: good }, '192.0.2.60')).code).toBe('TOTP_CHALLENGE_INVALID');
    // The same address must now wait before its next code, even with a new challenge…
    const next = (await loginStep(ADMIN.password, '192.0.2.60')).json() as { challenge: string };
    const slowed = await codeStep({ challenge: next.challenge, code: good }, '192.0.2.60');
    expect(slowed.statusCode).toBe(429);
    expect(slowed.headers['retry-after']).toBeDefined();
    // …while the owner elsewhere signs in.
    const elsewhere = (await loginStep(ADMIN.password, '198.51.100.61')).json() as { challenge: string };
    expect((await codeStep({ challenge: elsewhere.challenge, code: good }, '198.51.100.61')).statusCode).toBe(200);
    expect(
      await panel.db.event.count({
        where: { action: 'auth.login', result: 'error', message: 'invalid second factor' },
      }),
    ).toBe(5);
  });

  it('signs in with a recovery code once, and regenerated codes replace the old ones', async () => {
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const { secret, recoveryCodes } = await enrol(panel, admin, ADMIN.password);
    const [first, second] = recoveryCodes as [string, string];

    const { challenge } = (await loginStep()).json() as { challenge: string };
    const used = await codeStep({ challenge, recoveryCode: first.toUpperCase() });
    expect(used.statusCode).toBe(200);
    const session = sessionOf(used);
    expect((await call(panel.app, session, 'GET', '/api/v1/me/two-factor')).json()).toMatchObject({
      enabled: true,
      recoveryCodesLeft: 9,
    });
    const useEvent = await panel.db.event.findFirstOrThrow({ where: { action: 'user.recovery-code-use' } });
    expect(useEvent.actor).toMatch(/^user:/);
    expect(JSON.parse(useEvent.details!)).toEqual({ for: 'sign-in', left: 9 });

    const again = (await loginStep()).json() as { challenge: string };
    const reused = await codeStep({ challenge: again.challenge, recoveryCode: first });
    expect(reused.statusCode).toBe(401);
    expect(errorOf(reused).code).toBe('TOTP_CODE_INVALID');

    // New recovery codes need a code from the app; the old ones stop working.
    expect(
      (
        await call(panel.app, session, 'POST', '/api/v1/me/two-factor/recovery-codes', {
          code: '000000' === totpCode(secret, Date.now() + STEP) ? '111111' : '000000',
        })
      ).statusCode,
    ).toBe(400);
    vi.setSystemTime(T0 + STEP);
    const regenerated = await call(panel.app, session, 'POST', '/api/v1/me/two-factor/recovery-codes', {
      code: totpCode(secret, Date.now()),
    });
    expect(regenerated.statusCode).toBe(200);
    const fresh = (regenerated.json() as { recoveryCodes: string[] }).recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(second);
    const third = (await loginStep()).json() as { challenge: string };
    expect(errorOf(await codeStep({ challenge: third.challenge, recoveryCode: second })).code).toBe(
      'TOTP_CODE_INVALID',
    );
    const fourth = (await loginStep()).json() as { challenge: string };
    expect((await codeStep({ challenge: fourth.challenge, recoveryCode: fresh[0]! })).statusCode).toBe(200);
    expect(await panel.db.event.count({ where: { action: 'user.recovery-codes-regenerate' } })).toBe(1);
  });

  it('turns off with the password and a code or recovery code; then the password alone signs in again', async () => {
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const { recoveryCodes } = await enrol(panel, admin, ADMIN.password);
    const badPassword = await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/disable', {
      currentPassword: 'not-my-password',
      recoveryCode: recoveryCodes[0]!,
    });
    expect(errorOf(badPassword).details?.issues?.[0]?.path).toEqual(['currentPassword']);
    const badCode = await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/disable', {
      currentPassword: ADMIN.password,
      recoveryCode: 'aaaa-bbbb-cccc-dddd',
    });
    expect(badCode.statusCode).toBe(400);
    expect(errorOf(badCode).details?.issues?.[0]?.path).toEqual(['recoveryCode']);
    expect(
      (await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/disable', { currentPassword: ADMIN.password }))
        .statusCode,
    ).toBe(400);
    // A token cannot change two-factor settings, even with the password.
    const token = await mintToken(
      panel.db,
      {
        principal: {
          via: 'cli',
          userId: null,
          role: 'admin',
          tenantId: null,
          scope: 'full',
          tokenId: null,
          sessionId: null,
        },
        ip: null,
      },
      {
        userId: (await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } })).id,
        tenantId: null,
        name: 'full',
        scope: 'full',
      },
    );
    expect(
      errorOf(
        await call(panel.app, bearer(token.secret), 'POST', '/api/v1/me/two-factor/disable', {
          currentPassword: ADMIN.password,
          recoveryCode: recoveryCodes[0]!,
        }),
      ).code,
    ).toBe('FORBIDDEN');

    const off = await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/disable', {
      currentPassword: ADMIN.password,
      recoveryCode: recoveryCodes[0]!,
    });
    expect(off.statusCode).toBe(200);
    const row = await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    expect(row).toMatchObject({ totpEnabledAt: null, totpSecretEnc: null, recoveryCodeHashes: '[]' });
    const events = await panel.db.event.findMany({
      where: { action: { in: ['user.two-factor-disable', 'user.recovery-code-use'] } },
    });
    expect(events.map((e) => e.action).sort()).toEqual(['user.recovery-code-use', 'user.two-factor-disable']);
    expect((await loginStep()).cookies.find((c) => c.name === 'berth_session')).toBeDefined();
    expect(
      (
        await call(panel.app, admin, 'POST', '/api/v1/me/two-factor/disable', {
          currentPassword: ADMIN.password,
          code: '123456',
        })
      ).statusCode,
    ).toBe(409);
  });

  it('refuses challenges that were never issued and second steps without a factor', async () => {
    expect(errorOf(await codeStep({ challenge: 'x'.repeat(43), code: '123456' })).code).toBe('TOTP_CHALLENGE_INVALID');
    const neither = await codeStep({ challenge: 'x'.repeat(43) });
    expect(neither.statusCode).toBe(400);
    expect((await call(panel.app, anonymous, 'GET', '/api/v1/me/two-factor')).statusCode).toBe(401);
  });
});

describe('BERTH_REQUIRE_ADMIN_2FA=1', () => {
  let panel: TestPanel;
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    panel = await startPanel({ requireAdminTwoFactor: true });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await panel.close();
  });

  it('lets an admin without two-factor sign in, enrol, read /me and sign out, and nothing else until enrolled', async () => {
    const res = await panel.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: ADMIN });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ twoFactor: { enabled: false, enrolmentRequired: true } });
    const admin = sessionOf(res);
    for (const [method, url, body] of [
      ['GET', '/api/v1/tenants'],
      ['GET', '/api/v1/events'],
      ['POST', '/api/v1/tokens', { name: 'x', scope: 'full' }],
      ['POST', '/api/v1/me/password', { currentPassword: ADMIN.password, newPassword: 'another-password-123' }],
    ] as const) {
      const refused = await call(panel.app, admin, method, url, body);
      expect(refused.statusCode, `${method} ${url}`).toBe(403);
      expect(errorOf(refused).code).toBe('TOTP_ENROLMENT_REQUIRED');
    }
    expect((await call(panel.app, admin, 'GET', '/api/v1/me')).json()).toMatchObject({
      twoFactor: { enrolmentRequired: true },
    });
    expect((await call(panel.app, admin, 'GET', '/api/v1/me/two-factor')).json()).toMatchObject({
      enabled: false,
      enrolmentRequired: true,
    });
    // API tokens are not held back (a billing system's token keeps working).
    const userId = (await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } })).id;
    const token = await mintToken(
      panel.db,
      {
        principal: {
          via: 'cli',
          userId: null,
          role: 'admin',
          tenantId: null,
          scope: 'full',
          tokenId: null,
          sessionId: null,
        },
        ip: null,
      },
      { userId, tenantId: null, name: 'billing', scope: 'billing' },
    );
    expect((await call(panel.app, bearer(token.secret), 'GET', '/api/v1/accounts')).statusCode).toBe(200);

    await enrol(panel, admin, ADMIN.password);
    expect((await call(panel.app, admin, 'GET', '/api/v1/tenants')).statusCode).toBe(200);
    expect((await call(panel.app, admin, 'GET', '/api/v1/me')).json()).toMatchObject({
      twoFactor: { enabled: true, enrolmentRequired: false },
    });
    const tenant = await call(panel.app, admin, 'POST', '/api/v1/tenants', {
      slug: 'kilo',
      name: 'Kilo',
      owner: { email: 'kilo@example.test', password: 'kilo-password-123' },
    });
    expect(tenant.statusCode).toBe(201);
    // Tenant users are not required to enrol.
    const owner = await login(panel.app, 'kilo@example.test', 'kilo-password-123');
    expect((await call(panel.app, owner, 'GET', '/api/v1/sites')).statusCode).toBe(200);
    expect((await call(panel.app, admin, 'POST', '/api/v1/auth/logout')).statusCode).toBe(200);
  });
});
