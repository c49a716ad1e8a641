import { z } from 'zod';
import { ZId, ZPageQuery } from './common.js';

export const ZEventListQuery = ZPageQuery.extend({
  tenantId: ZId.optional(),
  action: z
    .string()
    .regex(/^[a-z.-]{1,60}$/)
    .optional(),
  targetId: ZId.optional(),
  result: z.enum(['ok', 'error']).optional(),
});

export const ZEvent = z.object({
  id: ZId,
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
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
