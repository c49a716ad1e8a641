import { z } from 'zod';
import { ZDisplayName, ZEmail, ZId, ZPageQuery, ZPassword, ZSlug } from './common.js';
import { ZWebserverKind } from './runtimes.js';

/** FIRST_TENANT_UID: tenant uids start high so they never collide with the host's own users. */
export const FIRST_TENANT_UID = 200_000;

export const TENANT_STATUSES = ['active', 'suspended'] as const;
export const ZTenantStatus = z.enum(TENANT_STATUSES);
export type TTenantStatus = z.infer<typeof ZTenantStatus>;

export const ZCreateTenantRequest = z.strictObject({
  slug: ZSlug,
  name: ZDisplayName,
  planId: ZId.optional(),
  webserver: ZWebserverKind.optional(),
  owner: z.strictObject({ email: ZEmail, password: ZPassword }),
});
export type TCreateTenantRequest = z.input<typeof ZCreateTenantRequest>;

export const ZUpdateTenantRequest = z
  .strictObject({
    name: ZDisplayName,
    planId: ZId,
    webserver: ZWebserverKind,
    varnishEnabled: z.boolean(),
  })
  .partial();
export type TUpdateTenantRequest = z.input<typeof ZUpdateTenantRequest>;

export const ZTenantListQuery = ZPageQuery.extend({
  q: z.string().max(100).optional(),
  status: ZTenantStatus.optional(),
});

/** SUSPENDED_REASON_MAX is the longest reason an operator may give for a suspension (plain text). */
export const SUSPENDED_REASON_MAX = 300;

/**
 * ZSuspendedReason is why an account is suspended, in plain text on one line: the tenant's users read it in a
 * banner ("Your account is suspended: <reason>. Contact your provider."), so markup is shown as typed and
 * control characters (line breaks included) are refused. Blank is no reason.
 */
export const ZSuspendedReason = z
  .string()
  .trim()
  .max(SUSPENDED_REASON_MAX, `A reason is at most ${SUSPENDED_REASON_MAX} characters.`)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'Write the reason on one line, without control characters.');

/** ZSuspendTenantRequest is the optional body of POST /tenants/{id}/suspend: the reason the tenant's users will see. */
export const ZSuspendTenantRequest = z.strictObject({ reason: ZSuspendedReason.optional() });
export type TSuspendTenantRequest = z.input<typeof ZSuspendTenantRequest>;

export const ZTenant = z.object({
  id: ZId,
  slug: z.string(),
  name: z.string(),
  planId: ZId,
  status: ZTenantStatus,
  /** Why it is suspended, as the operator wrote it; null while active or when no reason was given. */
  suspendedReason: z.string().nullable(),
  webserver: ZWebserverKind,
  varnishEnabled: z.boolean(),
  ports: z.object({ web: z.number().int().nullable(), cache: z.number().int().nullable() }),
  ownerEmail: z.string().nullable(),
  siteCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TTenant = z.infer<typeof ZTenant>;
