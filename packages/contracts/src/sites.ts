import { z } from 'zod';
import { ZId, ZPageQuery, ZSiteName } from './common.js';
import { PHP_SETTING_RULES } from './php-limits.js';
import { RUNTIME_CATALOG, ZPhpVersion, ZRuntimeKind, isCatalogVersion } from './runtimes.js';

/**
 * A site's status: `live` means the edge really serves it (a periodic probe through the edge checks);
 * `degraded` means it was provisioned but visitors get an error from the edge right now (the reason says which);
 * `failed` means provisioning did not succeed (or did not finish in time) and can be retried.
 */
export const SITE_STATUSES = ['pending', 'provisioning', 'live', 'degraded', 'failed', 'suspended'] as const;
export const ZSiteStatus = z.enum(SITE_STATUSES);
export type TSiteStatus = z.infer<typeof ZSiteStatus>;

/**
 * ZSiteRuntime is a site's runtime as the panel keeps it: a PHP site's version is a TPhpVersion (parsed here,
 * once), so the reconciler and the runtime take it as it is. Other kinds keep their version as text.
 */
export const ZSiteRuntime = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('php'), version: ZPhpVersion }),
  z.object({ kind: ZRuntimeKind.exclude(['php']), version: z.string() }),
]);
export type TSiteRuntime = z.output<typeof ZSiteRuntime>;

/**
 * ZRuntimeChoice is what a user picks for a site: a kind and, optionally, a version from the catalog
 * (the kind's default when omitted). Any version outside RUNTIME_CATALOG is refused here.
 */
export const ZRuntimeChoice = z
  .strictObject({ kind: ZRuntimeKind, version: z.string().max(16).optional() })
  .superRefine((value, ctx) => {
    if (value.version !== undefined && !isCatalogVersion(value.kind, value.version)) {
      const offered = RUNTIME_CATALOG[value.kind].versions.join(', ');
      ctx.addIssue({
        code: 'custom',
        path: ['version'],
        message: `Version ${value.version} is not offered for ${value.kind}; pick one of ${offered}.`,
      });
    }
  })
  .transform((value) => ({ kind: value.kind, version: value.version ?? RUNTIME_CATALOG[value.kind].defaultVersion }))
  .pipe(ZSiteRuntime);
export type TRuntimeChoice = z.output<typeof ZRuntimeChoice>;

/** ZPhpSettings are the per-site PHP settings; the tenant's plan bounds them further (php-limits.ts). */
export const ZPhpSettings = z.strictObject({
  memoryLimitMb: z.number().int().min(PHP_SETTING_RULES.memoryLimitMb.min).max(8_192).optional(),
  uploadMaxMb: z.number().int().min(PHP_SETTING_RULES.uploadMaxMb.min).max(10_240).optional(),
  postMaxMb: z.number().int().min(PHP_SETTING_RULES.postMaxMb.min).max(10_240).optional(),
  maxExecutionSeconds: z.number().int().min(PHP_SETTING_RULES.maxExecutionSeconds.min).max(3_600).optional(),
  displayErrors: z.boolean().optional(),
});
export type TPhpSettings = z.infer<typeof ZPhpSettings>;

/** ZStaticPrefix is a path prefix (one segment) served straight from the site's directory by the edge. */
export const ZStaticPrefix = z
  .string()
  .regex(/^\/[a-z0-9_-]{1,32}$/, 'A static prefix is one path segment such as /static.');

export const ZSiteSettings = z.strictObject({
  php: ZPhpSettings.optional(),
  staticPrefixes: z
    .array(ZStaticPrefix)
    .max(8)
    .refine((prefixes) => new Set(prefixes).size === prefixes.length, 'Each static prefix may appear once.')
    .optional(),
});
export type TSiteSettings = z.infer<typeof ZSiteSettings>;

export const ZCreateSiteRequest = z.strictObject({
  tenantId: ZId.optional(),
  name: ZSiteName,
  runtime: ZRuntimeChoice,
  settings: ZSiteSettings.optional(),
});
export type TCreateSiteRequest = z.input<typeof ZCreateSiteRequest>;

export const ZUpdateSiteRequest = z.strictObject({
  runtime: ZRuntimeChoice.optional(),
  settings: ZSiteSettings.optional(),
});
export type TUpdateSiteRequest = z.input<typeof ZUpdateSiteRequest>;

export const ZSiteListQuery = ZPageQuery.extend({
  tenantId: ZId.optional(),
  status: ZSiteStatus.optional(),
});

export const ZSite = z.object({
  id: ZId,
  tenantId: ZId,
  name: z.string(),
  runtime: z.object({ kind: ZRuntimeKind, version: z.string() }),
  settings: ZSiteSettings,
  status: ZSiteStatus,
  statusMessage: z.string().nullable(),
  domains: z.array(z.string()),
  /**
   * url is the address visitors use: the first primary domain, over HTTPS unless its TLS is off, with the
   * edge's port when it is not the scheme's own (`https://shop.example.com:8443`); null without a primary domain.
   */
  url: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TSite = z.infer<typeof ZSite>;

export const ZRuntimeCatalogResponse = z.object({
  kinds: z.array(
    z.object({ kind: ZRuntimeKind, label: z.string(), versions: z.array(z.string()), defaultVersion: z.string() }),
  ),
  webservers: z.array(z.string()),
});

/** ZPurgeCacheRequest: without `url`, everything cached for the site's hostnames; with it, that one URL. */
export const ZPurgeCacheRequest = z.strictObject({
  url: z
    .url({
      protocol: /^https?$/,
      message: 'Enter an absolute http(s) URL of this site, e.g. https://example.com/page.',
    })
    .max(2_000)
    .optional(),
});
export const ZPurgeCacheResponse = z.object({ purged: z.array(z.string()) });
