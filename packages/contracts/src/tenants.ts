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

export const ZTenant = z.object({
  id: ZId,
  slug: z.string(),
  name: z.string(),
  planId: ZId,
  status: ZTenantStatus,
  webserver: ZWebserverKind,
  varnishEnabled: z.boolean(),
  ports: z.object({ web: z.number().int().nullable(), cache: z.number().int().nullable() }),
  ownerEmail: z.string().nullable(),
  siteCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TTenant = z.infer<typeof ZTenant>;
