import { z } from 'zod';
import { ZDisplayName, ZId } from './common.js';

/**
 * TOKEN_SCOPES: `read` may only read; `full` may do everything its owner may; `billing` may only run the
 * account lifecycle (create/suspend/unsuspend/terminate/re-plan accounts) and read plans.
 */
export const TOKEN_SCOPES = ['read', 'full', 'billing'] as const;
export const ZTokenScope = z.enum(TOKEN_SCOPES);
export type TTokenScope = z.infer<typeof ZTokenScope>;

export const ZCreateTokenRequest = z.strictObject({
  name: ZDisplayName,
  scope: ZTokenScope,
  expiresInDays: z.number().int().min(1).max(3_650).optional(),
});
export type TCreateTokenRequest = z.input<typeof ZCreateTokenRequest>;

export const ZApiToken = z.object({
  id: ZId,
  name: z.string(),
  scope: ZTokenScope,
  tenantId: ZId.nullable(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TApiToken = z.infer<typeof ZApiToken>;

/** ZCreatedToken is answered once, at creation: `secret` is never shown again. */
export const ZCreatedToken = z.object({ token: ZApiToken, secret: z.string() });
