import type { SiteModel } from '@berth/db';
import { ZSite, ZSiteRuntime, type TSiteRuntime, type TSiteSettings } from '@berth/contracts';
import type { z } from 'zod';

const ZSiteRecord = ZSite.extend({ runtime: ZSiteRuntime });

/** SiteRecord is a site as the API answers it (a TSite) with its runtime narrowed: a PHP site's version is a TPhpVersion. */
export type SiteRecord = z.output<typeof ZSiteRecord>;

/** EdgePorts are the ports visitors reach the edge on (BERTH_HTTP_PORT, BERTH_HTTPS_PORT). */
export interface EdgePorts {
  http: number;
  https: number;
}

/** VisitDomain is what of a domain row the visitors' address needs. */
export interface VisitDomain {
  hostname: string;
  kind: string;
  tlsMode: string;
}

/**
 * siteUrlOf is the address visitors use: the site's first primary domain, over HTTPS unless its TLS is off, with
 * the edge's port when it is not the scheme's own.
 */
export function siteUrlOf(domains: readonly VisitDomain[], ports: EdgePorts): string | null {
  const primary = domains.find((d) => d.kind === 'primary');
  if (!primary) return null;
  const secure = primary.tlsMode !== 'off';
  const port = secure ? (ports.https === 443 ? '' : `:${ports.https}`) : ports.http === 80 ? '' : `:${ports.http}`;
  return `${secure ? 'https' : 'http'}://${primary.hostname}${port}`;
}

/**
 * toSite is the one reading of a Site row, through the contracts: runtime, settings (JSON) and status are
 * parsed here, so the services and the desired state get typed values instead of column text. `domains` are
 * the site's hostnames in the order they were added. `url` (siteUrlOf) needs the domains' kind and TLS mode
 * and the edge's ports, which only the site answers of the API pass; readers that keep other fields (the
 * desired state, billing's accounts) get null.
 */
export function toSite(
  row: SiteModel & { domains: readonly VisitDomain[] },
  visit: { edgePorts: EdgePorts },
): SiteRecord;
export function toSite(row: SiteModel & { domains: readonly { hostname: string }[] }): SiteRecord;
export function toSite(
  row: SiteModel & { domains: readonly { hostname: string; kind?: string; tlsMode?: string }[] },
  visit?: { edgePorts: EdgePorts },
): SiteRecord {
  return ZSiteRecord.parse({
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    runtime: { kind: row.runtimeKind, version: row.runtimeVersion },
    settings: JSON.parse(row.settings),
    status: row.status,
    statusMessage: row.statusMessage,
    domains: row.domains.map((d) => d.hostname),
    url: visit ? siteUrlOf(row.domains as readonly VisitDomain[], visit.edgePorts) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  });
}

/** siteColumns is a site's runtime and settings as the Site row stores them; toSite reads them back. */
export function siteColumns({ runtime, settings }: { runtime: TSiteRuntime; settings: TSiteSettings }) {
  return { runtimeKind: runtime.kind, runtimeVersion: runtime.version, settings: JSON.stringify(settings) };
}
