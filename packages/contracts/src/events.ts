import { z } from 'zod';
import { ZId, ZPageQuery } from './common.js';

/** EVENT_ACTORS_FIXED are the actors that are not a user or a token: the panel itself, the host's CLI, anonymous sign-in attempts. */
export const EVENT_ACTORS_FIXED = ['system', 'cli', 'anonymous'] as const;

/** ZEventActor is who an event names as its actor: `user:<id>`, `token:<id>`, or one of EVENT_ACTORS_FIXED. */
export const ZEventActor = z
  .string()
  .regex(/^(?:system|cli|anonymous|(?:user|token):[a-z0-9]{10,40})$/, 'Not a valid actor.');

/**
 * ZEventListQuery filters the audit trail: `action` is one action (`site.update`), `kind` every action of one
 * kind (`site` matches `site.create`, `site.update`, `site.live`…), `actor` one actor (ZEventActor).
 */
export const ZEventListQuery = ZPageQuery.extend({
  tenantId: ZId.optional(),
  action: z
    .string()
    .regex(/^[a-z.-]{1,60}$/)
    .optional(),
  kind: z
    .string()
    .regex(/^[a-z-]{1,40}$/, 'An action kind is a word such as site or domain.')
    .optional(),
  actor: ZEventActor.optional(),
  targetId: ZId.optional(),
  result: z.enum(['ok', 'error']).optional(),
});

export const ZEvent = z.object({
  id: ZId,
  at: z.string(),
  actor: z.string(),
  /**
   * actorName is the actor as people know it: a user's email, a token's name (`token "deploy" of a@b.c`);
   * null for system, cli and anonymous, and for a user or token that no longer exists.
   */
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  /**
   * targetName is the target as it is called now: a site's name, a domain's hostname, a tenant's slug, a
   * database's name…; null when the target is gone (the event's `details` may still name it) or has no name.
   */
  targetName: z.string().nullable(),
  tenantId: z.string().nullable(),
  result: z.enum(['ok', 'error']),
  message: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type TEvent = z.infer<typeof ZEvent>;

/** ZComponentHealth is one part of the system as the panel last saw it. */
export const ZComponentHealth = z.object({ ok: z.boolean(), message: z.string().optional() });

/** ZSystemHealth is GET /api/v1/system/health: the panel's view of its database, Docker and the edge. */
/**
 * ZReconcilerHealth is the reconciler's own state: how many tenants' last pass failed, and the tenant that has
 * been waiting longest to converge (since when, and the last failure's message as administrators see it).
 */
export const ZReconcilerHealth = ZComponentHealth.extend({
  failingTenants: z.number().int(),
  oldestUnconverged: z
    .object({
      tenantId: z.string(),
      tenantSlug: z.string().nullable(),
      since: z.string(),
      failedPasses: z.number().int(),
      lastError: z.string(),
    })
    .nullable(),
});
export type TReconcilerHealth = z.infer<typeof ZReconcilerHealth>;

export const ZSystemHealth = z.object({
  ok: z.boolean(),
  components: z.object({
    database: ZComponentHealth,
    docker: ZComponentHealth,
    caddy: ZComponentHealth,
    reconciler: ZReconcilerHealth,
  }),
});
export type TSystemHealth = z.infer<typeof ZSystemHealth>;
