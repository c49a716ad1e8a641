import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@berth/db';
import { z } from 'zod';
import { ConfigError } from '../config.js';

/**
 * RetentionPolicy says how long the panel keeps rows that would otherwise grow without bound. Defaults:
 * - sessions, idempotency keys: deleted once expired (they are useless after);
 * - one-time SSO links: one day after they expired;
 * - API tokens: 30 days after they expired (the owner still sees them as expired for a while);
 * - events of anonymous callers (failed sign-ins, refused anonymous requests): after
 *   BERTH_ANON_EVENT_RETENTION_DAYS (30). Events of known users, tokens and the system are the audit trail
 *   and are kept.
 */
export interface RetentionPolicy {
  anonymousEventDays: number;
  expiredTokenDays: number;
  usedSsoLinkDays: number;
}

const ZRetentionEnv = z.object({
  BERTH_ANON_EVENT_RETENTION_DAYS: z.coerce
    .number()
    .int('must be a whole number of days')
    .min(1, 'at least 1 day')
    .max(3650)
    .default(30),
});

/** loadRetentionPolicy reads BERTH_ANON_EVENT_RETENTION_DAYS; a bad value is a ConfigError like every other setting. */
export function loadRetentionPolicy(env: NodeJS.ProcessEnv = process.env): RetentionPolicy {
  const parsed = ZRetentionEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`,
      ),
    );
  }
  return { anonymousEventDays: parsed.data.BERTH_ANON_EVENT_RETENTION_DAYS, expiredTokenDays: 30, usedSsoLinkDays: 1 };
}

const DAY_MS = 86_400_000;

/** RetentionJob deletes what the policy no longer keeps: once soon after start, then every hour. */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { db: Db; policy: RetentionPolicy; logger?: FastifyBaseLogger; intervalMs?: number },
  ) {}

  /** runOnce deletes expired rows and answers how many of each went. */
  async runOnce(
    now = new Date(),
  ): Promise<Record<'sessions' | 'idempotencyKeys' | 'ssoLinks' | 'tokens' | 'anonymousEvents', number>> {
    const { db, policy } = this.deps;
    const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const [sessions, idempotencyKeys, ssoLinks, tokens, anonymousEvents] = await Promise.all([
      db.session.deleteMany({ where: { expiresAt: { lt: now } } }),
      db.idempotencyKey.deleteMany({ where: { expiresAt: { lt: now } } }),
      db.ssoLink.deleteMany({ where: { expiresAt: { lt: before(policy.usedSsoLinkDays) } } }),
      db.apiToken.deleteMany({ where: { expiresAt: { lt: before(policy.expiredTokenDays) } } }),
      db.event.deleteMany({ where: { actor: 'anonymous', at: { lt: before(policy.anonymousEventDays) } } }),
    ]);
    const counts = {
      sessions: sessions.count,
      idempotencyKeys: idempotencyKeys.count,
      ssoLinks: ssoLinks.count,
      tokens: tokens.count,
      anonymousEvents: anonymousEvents.count,
    };
    if (Object.values(counts).some((n) => n > 0)) this.deps.logger?.info(counts, 'retention: expired rows deleted');
    return counts;
  }

  start(): void {
    const tick = () => {
      this.runOnce().catch((err: unknown) =>
        this.deps.logger?.warn({ err }, 'retention: pass failed; trying again later'),
      );
    };
    this.timer = setInterval(tick, this.deps.intervalMs ?? 3_600_000);
    this.timer.unref();
    setTimeout(tick, 60_000).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
