import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, startPanel, type TestPanel } from './helpers.js';

/**
 * Sign-in limits as an attacker meets them: failures slow the (account, address) pair and the address,
 * never the account, so nobody can lock the owner out; a known and an unknown email are answered alike;
 * and a burst cannot queue up password hashing.
 */
describe('sign-in limits', () => {
  let panel: TestPanel;
  beforeEach(async () => {
    panel = await startPanel();
  });
  afterEach(async () => {
    await panel.close();
  });

  const loginFrom = (remoteAddress: string, email: string, password: string) =>
    panel.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password } });
  const codeOf = (res: LightMyRequestResponse) => (res.json() as { error?: { code: string } }).error?.code;

  it('cannot lock the admin out: after 40 wrong passwords from one address, the right one from another gets in at once', async () => {
    const attacker = '203.0.113.66';
    const answers: number[] = [];
    for (let i = 0; i < 40; i++)
      answers.push((await loginFrom(attacker, ADMIN.email, `guess-${i}-password`)).statusCode);
    // Five are checked, then the attacker is told to wait (exponential backoff), without any hashing.
    expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(answers.slice(5))).toEqual(new Set([429]));
    const slowed = await loginFrom(attacker, ADMIN.email, ADMIN.password);
    expect(slowed.statusCode).toBe(429);
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(slowed.json()).toMatchObject({
      error: { code: 'RATE_LIMITED', details: { retryAfterSeconds: Number(slowed.headers['retry-after']) } },
    });

    const owner = await loginFrom('198.51.100.20', ADMIN.email, ADMIN.password);
    expect(owner.statusCode).toBe(200);
    expect(owner.cookies.find((c) => c.name === 'berth_session')).toBeDefined();
    // Only the checked attempts are failures in the audit trail; nothing about the account is locked.
    expect(await panel.db.event.count({ where: { action: 'auth.login', result: 'error', ip: attacker } })).toBe(5);
    expect(await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } })).toMatchObject({
      failedLogins: 0,
      lockedUntil: null,
    });
  });

  it('slows password spraying from one address across accounts, not the accounts elsewhere', async () => {
    const sprayer = '203.0.113.77';
    for (let i = 0; i < 30; i++)
      expect((await loginFrom(sprayer, `user${i}@example.test`, 'Summer2026!')).statusCode).toBe(401);
    expect(codeOf(await loginFrom(sprayer, 'user99@example.test', 'Summer2026!'))).toBe('RATE_LIMITED');
    expect(codeOf(await loginFrom(sprayer, ADMIN.email, 'Summer2026!'))).toBe('RATE_LIMITED');
    expect((await loginFrom('198.51.100.21', ADMIN.email, ADMIN.password)).statusCode).toBe(200);
  });

  it('answers a known and an unknown email exactly alike, through the backoff too', async () => {
    const transcript = async (address: string, email: string) => {
      const lines: unknown[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await loginFrom(address, email, `wrong-password-${i}`);
        lines.push([res.statusCode, res.json(), res.headers['retry-after'] ?? null, res.headers['set-cookie'] ?? null]);
      }
      return lines;
    };
    const known = await transcript('192.0.2.31', ADMIN.email);
    const unknown = await transcript('192.0.2.32', 'nobody-here@example.test');
    expect(unknown).toEqual(known);
    expect(known[0]).toEqual([
      401,
      { error: { code: 'INVALID_CREDENTIALS', message: 'The email or password is wrong.' } },
      null,
      null,
    ]);
    expect((known[7] as [number])[0]).toBe(429);
    // The audit trail, which only administrators read, does tell them apart.
    const admin = await panel.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    expect(
      await panel.db.event.count({
        where: { action: 'auth.login', result: 'error', ip: '192.0.2.31', targetId: admin.id },
      }),
    ).toBe(5);
    expect(
      await panel.db.event.count({
        where: { action: 'auth.login', result: 'error', ip: '192.0.2.32', targetId: null },
      }),
    ).toBe(5);
  });

  it('answers a burst beyond the hashing cap with 429 at once, while a correct login from a fresh address succeeds', async () => {
    const attackers = Array.from({ length: 20 }, (_, i) => `203.0.113.${100 + i}`);
    // The attack has been going on: every attacking address has failed before.
    for (const address of attackers)
      expect((await loginFrom(address, ADMIN.email, 'not-the-password')).statusCode).toBe(401);
    const burst = Array.from({ length: 200 }, (_, i) =>
      loginFrom(attackers[i % attackers.length]!, ADMIN.email, `burst-${i}-password`),
    );
    const owner = loginFrom('198.51.100.22', ADMIN.email, ADMIN.password);
    const more = Array.from({ length: 50 }, (_, i) =>
      loginFrom(attackers[i % attackers.length]!, ADMIN.email, `burst-late-${i}`),
    );
    const [ownerRes, ...attack] = await Promise.all([owner, ...burst, ...more]);

    expect(ownerRes!.statusCode).toBe(200);
    const by = (status: number) => attack.filter((r) => r.statusCode === status);
    expect(by(401).length + by(429).length).toBe(attack.length);
    // At most three verifications run at once for addresses that failed before (the fourth slot is kept
    // for clean addresses), so nearly the whole burst is refused without hashing.
    expect(by(401).length).toBeLessThanOrEqual(10);
    for (const res of by(429)) {
      expect(res.json()).toMatchObject({ error: { code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } } });
      expect(res.headers['retry-after']).toBe('1');
    }
    expect(panel.services.auth.hashGate.inFlight).toBe(0);
  });

  it('allows at most two concurrent verifications from one address', async () => {
    const one = '203.0.113.200';
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => loginFrom(one, ADMIN.email, `same-host-${i}`)),
    );
    expect(burst.filter((r) => r.statusCode === 401).length).toBeLessThanOrEqual(2);
    expect(burst.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(18);
    expect((await loginFrom('198.51.100.23', ADMIN.email, ADMIN.password)).statusCode).toBe(200);
  });
});
