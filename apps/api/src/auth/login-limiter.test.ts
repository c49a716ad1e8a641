import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { addressKey, Backoff, LoginLimiter } from './login-limiter.js';

describe('Backoff', () => {
  const policy = { free: 3, baseMs: 1_000, maxMs: 8_000, forgetAfterMs: 60_000 };

  it('lets the free failures through, then doubles the wait up to the cap', () => {
    const backoff = new Backoff(policy);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) waits.push(backoff.recordFailure('k', 0));
    expect(waits).toEqual([0, 0, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(backoff.waitMs('k', 0)).toBe(8_000);
    expect(backoff.waitMs('k', 7_999)).toBe(1);
    // Never a lock: once the wait is over, the next attempt may go.
    expect(backoff.waitMs('k', 8_000)).toBe(0);
    expect(backoff.waitMs('other', 0)).toBe(0);
  });

  it('forgets a key after a quiet period and on reset', () => {
    const backoff = new Backoff(policy);
    for (let i = 0; i < 5; i++) backoff.recordFailure('k', 0);
    expect(backoff.failures('k', 60_000)).toBe(5);
    expect(backoff.failures('k', 60_001)).toBe(0);
    for (let i = 0; i < 5; i++) backoff.recordFailure('k', 0);
    backoff.reset('k');
    expect(backoff.waitMs('k', 0)).toBe(0);
  });

  it('stays bounded, dropping the least recently failed key first', () => {
    const backoff = new Backoff(policy, 3);
    for (const key of ['a', 'b', 'c']) backoff.recordFailure(key, 0);
    backoff.recordFailure('a', 1);
    backoff.recordFailure('d', 2);
    expect(backoff.failures('b', 2)).toBe(0);
    expect(backoff.failures('a', 2)).toBe(2);
    expect(backoff.failures('d', 2)).toBe(1);
  });
});

describe('LoginLimiter', () => {
  const attacker = { kind: 'password', account: 'admin@example.test', address: '203.0.113.9' } as const;

  it('slows one (account, address) without touching the same account from elsewhere', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 5; i++) {
      limiter.assertMayTry(attacker, 0);
      limiter.recordFailure(attacker, 0);
    }
    let refusal: unknown;
    try {
      limiter.assertMayTry(attacker, 0);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } });
    expect(() => limiter.assertMayTry({ ...attacker, address: '198.51.100.7' }, 0)).not.toThrow();
    expect(() => limiter.assertMayTry(attacker, 1_000)).not.toThrow();
  });

  it('caps one address across accounts, and a success does not clear that count', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 30; i++) limiter.recordFailure({ ...attacker, account: `user${i}@example.test` }, 0);
    limiter.recordSuccess({ ...attacker, account: 'own-account@example.test' });
    expect(() => limiter.assertMayTry({ ...attacker, account: 'fresh@example.test' }, 0)).toThrow(
      'Too many failed sign-in attempts. Try again in 1 second.',
    );
    expect(limiter.hasRecentFailures(attacker.address, 0)).toBe(true);
    expect(limiter.hasRecentFailures('198.51.100.7', 0)).toBe(false);
  });

  it('limits second factors per user across addresses, where only password holders get', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 10; i++)
      limiter.recordFailure({ kind: 'second-factor', userId: 'u1', address: `192.0.2.${i}` }, 0);
    expect(() => limiter.assertMayTry({ kind: 'second-factor', userId: 'u1', address: '192.0.2.200' }, 0)).toThrow(
      /Try again/,
    );
    expect(() =>
      limiter.assertMayTry({ kind: 'second-factor', userId: 'u2', address: '192.0.2.200' }, 0),
    ).not.toThrow();
    // The password step of the same person is not slowed by it.
    expect(() =>
      limiter.assertMayTry({ kind: 'password', account: 'u1@example.test', address: '192.0.2.200' }, 0),
    ).not.toThrow();
  });
});

describe('addressKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6 and groups IPv6 by /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(null)).toBe('unknown');
  });
});
