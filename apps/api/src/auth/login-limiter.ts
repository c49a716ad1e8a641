/**
 * LoginLimiter counts failed logins per client address in memory (a sliding window). Per-account
 * lockout lives in the database (User.failedLogins / lockedUntil) so it survives restarts.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly opts: { maxFailures: number; windowMs: number } = { maxFailures: 20, windowMs: 15 * 60_000 }) {}

  /** retryAfterSeconds is 0 when `ip` may try again now, else how long it must wait. */
  retryAfterSeconds(ip: string, now = Date.now()): number {
    const recent = this.recent(ip, now);
    if (recent.length < this.opts.maxFailures) return 0;
    return Math.ceil((recent[0]! + this.opts.windowMs - now) / 1000);
  }

  recordFailure(ip: string, now = Date.now()): void {
    const recent = this.recent(ip, now);
    recent.push(now);
    this.failures.set(ip, recent);
    if (this.failures.size > 10_000) this.prune(now);
  }

  recordSuccess(ip: string): void {
    this.failures.delete(ip);
  }

  private recent(ip: string, now: number): number[] {
    return (this.failures.get(ip) ?? []).filter((t) => t > now - this.opts.windowMs);
  }

  private prune(now: number): void {
    for (const [ip, times] of this.failures) {
      if (times.every((t) => t <= now - this.opts.windowMs)) this.failures.delete(ip);
    }
  }
}
