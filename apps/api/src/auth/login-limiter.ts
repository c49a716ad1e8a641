import net from 'node:net';
import { AppError } from '../errors.js';

/** BackoffPolicy: `free` failures cost nothing, then each further one doubles the wait, up to `maxMs`. */
export interface BackoffPolicy {
  free: number;
  baseMs: number;
  maxMs: number;
  /** A key with no failure for this long starts over (at least `maxMs`, or the cap would never bite). */
  forgetAfterMs: number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
}

/**
 * Backoff is exponential backoff per key, in memory: after `free` failures the next attempt must wait
 * baseMs, then 2×, 4×… up to maxMs after the latest failure. It never locks: once the wait is over, one
 * more attempt is allowed, and a right answer (reset) clears the key. The map is bounded; when full,
 * forgotten keys go first, then the least recently failed.
 */
export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly maxEntries = 100_000,
  ) {}

  /** waitMs is 0 when `key` may try now, else how long until it may. */
  waitMs(key: string, now: number): number {
    const entry = this.live(key, now);
    if (!entry || entry.failures < this.policy.free) return 0;
    return Math.max(0, entry.lastFailureAt + this.delayAfter(entry.failures) - now);
  }

  /** failures counts the key's failures that are not yet forgotten. */
  failures(key: string, now: number): number {
    return this.live(key, now)?.failures ?? 0;
  }

  /** recordFailure counts one failure and returns the wait it imposes on the next attempt (ms, 0 while free). */
  recordFailure(key: string, now: number): number {
    const failures = (this.live(key, now)?.failures ?? 0) + 1;
    // Re-inserting moves the key to the end: the map's order is least recently failed first.
    this.entries.delete(key);
    this.entries.set(key, { failures, lastFailureAt: now });
    if (this.entries.size > this.maxEntries) this.evict(now);
    return failures < this.policy.free ? 0 : this.delayAfter(failures);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  private delayAfter(failures: number): number {
    return Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** (failures - this.policy.free));
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailureAt > this.policy.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.lastFailureAt > this.policy.forgetAfterMs) this.entries.delete(key);
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

/**
 * addressKey groups client addresses the way one client holds them: an IPv4 address as is (IPv4-mapped
 * IPv6 included), an IPv6 address by its /64, since one host can pick any address of its /64 at will.
 */
export function addressKey(ip: string | null): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!net.isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** LOGIN_POLICIES are the defaults; tests and the bench pass their own. */
export const LOGIN_POLICIES = {
  /** One account from one address: 5 free tries, then 1 s, 2 s, 4 s… up to 15 minutes between tries. */
  accountAddress: { free: 5, baseMs: 1_000, maxMs: 15 * MINUTE, forgetAfterMs: HOUR },
  /** One address across accounts (password spraying): 30 free failures, then doubling up to 5 minutes. */
  address: { free: 30, baseMs: 1_000, maxMs: 5 * MINUTE, forgetAfterMs: HOUR },
  /**
   * One account's second factor from any address. Only someone who already has the password reaches it,
   * so it may be stricter than the password step without letting strangers slow the owner down.
   */
  secondFactorAccount: { free: 10, baseMs: 1_000, maxMs: 5 * MINUTE, forgetAfterMs: HOUR },
} satisfies Record<string, BackoffPolicy>;

export type LoginPolicies = typeof LOGIN_POLICIES;

/** Attempt names what is being tried: a password for an email, or a second factor for a user id. */
export type Attempt =
  { kind: 'password'; account: string; address: string } | { kind: 'second-factor'; userId: string; address: string };

/**
 * LoginLimiter decides whether a sign-in attempt may be checked at all, before any password hashing.
 * Passwords back off per (submitted email, address) and per address; second factors per (user, address),
 * per address and per user. Nothing is ever locked account-wide for the password step: failures from
 * one address never delay the right password from another, and an unknown email is limited exactly like
 * a known one (the key is the email as typed, never whether it exists). State lives in memory: a restart
 * forgets it, which only ever helps the owner.
 */
export class LoginLimiter {
  private readonly accountAddress: Backoff;
  private readonly address: Backoff;
  private readonly secondFactorAccount: Backoff;

  constructor(policies: LoginPolicies = LOGIN_POLICIES) {
    this.accountAddress = new Backoff(policies.accountAddress);
    this.address = new Backoff(policies.address);
    this.secondFactorAccount = new Backoff(policies.secondFactorAccount);
  }

  /** assertMayTry throws RATE_LIMITED (with retryAfterSeconds) while any of the attempt's keys must wait. */
  assertMayTry(attempt: Attempt, now = Date.now()): void {
    const wait = Math.max(...this.keysOf(attempt).map(([backoff, key]) => backoff.waitMs(key, now)));
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new AppError(
        'RATE_LIMITED',
        `Too many failed sign-in attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
        { details: { retryAfterSeconds: seconds } },
      );
    }
  }

  /** recordFailure counts a wrong password or code; it returns the wait (ms) the next attempt now faces. */
  recordFailure(attempt: Attempt, now = Date.now()): number {
    return Math.max(...this.keysOf(attempt).map(([backoff, key]) => backoff.recordFailure(key, now)));
  }

  /**
   * recordSuccess clears the (account, address) or (user, address) key only: a right answer must not
   * wipe the address's count (an attacker would sign into their own account between guesses) nor the
   * account-wide second-factor count.
   */
  recordSuccess(attempt: Attempt): void {
    const [backoff, key] = this.keysOf(attempt)[0]!;
    backoff.reset(key);
  }

  /** hasRecentFailures tells whether an address failed lately; such addresses get fewer hashing slots. */
  hasRecentFailures(address: string, now = Date.now()): boolean {
    return this.address.failures(address, now) > 0;
  }

  private keysOf(attempt: Attempt): [Backoff, string][] {
    if (attempt.kind === 'password') {
      return [
        [this.accountAddress, `p:${attempt.account}|${attempt.address}`],
        [this.address, attempt.address],
      ];
    }
    return [
      [this.accountAddress, `2:${attempt.userId}|${attempt.address}`],
      [this.address, attempt.address],
      [this.secondFactorAccount, attempt.userId],
    ];
  }
}
