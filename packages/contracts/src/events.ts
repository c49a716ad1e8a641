import { z } from 'zod';
import { ZId, ZPageQuery } from './common.js';

export const ZEventListQuery = ZPageQuery.extend({
  tenantId: ZId.optional(),
  action: z.string().regex(/^[a-z.-]{1,60}$/).optional(),
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
export const ZSystemHealth = z.object({
  ok: z.boolean(),
  components: z.object({ database: ZComponentHealth, docker: ZComponentHealth, caddy: ZComponentHealth }),
});
export type TSystemHealth = z.infer<typeof ZSystemHealth>;
