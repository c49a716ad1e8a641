import type { SiteModel } from '@berth/db';
import { ZSite, ZSiteRuntime, type TSiteRuntime, type TSiteSettings } from '@berth/contracts';
import type { z } from 'zod';

const ZSiteRecord = ZSite.extend({ runtime: ZSiteRuntime });

/** SiteRecord is a site as the API answers it (a TSite) with its runtime narrowed: a PHP site's version is a TPhpVersion. */
export type SiteRecord = z.output<typeof ZSiteRecord>;

/**
 * toSite is the one reading of a Site row, through the contracts: runtime, settings (JSON) and status are
 * parsed here, so the services and the desired state get typed values instead of column text. `domains` are
 * the site's hostnames in the order they were added.
 */
export function toSite(row: SiteModel & { domains: readonly { hostname: string }[] }): SiteRecord {
  return ZSiteRecord.parse({
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    runtime: { kind: row.runtimeKind, version: row.runtimeVersion },
    settings: JSON.parse(row.settings),
    status: row.status,
    statusMessage: row.statusMessage,
    domains: row.domains.map((d) => d.hostname),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  });
}

/** siteColumns is a site's runtime and settings as the Site row stores them; toSite reads them back. */
export function siteColumns({ runtime, settings }: { runtime: TSiteRuntime; settings: TSiteSettings }) {
  return { runtimeKind: runtime.kind, runtimeVersion: runtime.version, settings: JSON.stringify(settings) };
}
