import path from 'node:path';
import type { DesiredDomain as EdgeDomain, DesiredEdge, DomainTls } from '@berth/caddy';
import type { DesiredDomain, DesiredTenant } from './desired.js';
import { DOCUMENT_ROOT } from './runtime-spec.js';

/** EdgePathsInput are the directories as Caddy sees them (the edge mounts them at the same paths). */
export interface EdgePathsInput {
  tenantsDir: string;
  certsDir: string;
  logsDir: string;
}

/** customCertificateFiles is where a domain's uploaded certificate is written for Caddy to load. */
export function customCertificateFiles(certsDir: string, domainId: string): { certificateFile: string; keyFile: string } {
  return { certificateFile: path.join(certsDir, `${domainId}.crt`), keyFile: path.join(certsDir, `${domainId}.key`) };
}

function tlsOf(domain: DesiredDomain, certsDir: string): DomainTls {
  switch (domain.tls) {
    case 'custom':
      // A custom domain whose certificate is not available (yet) is served with the local CA rather than not at all.
      return domain.customCertificate ? { mode: 'custom', ...customCertificateFiles(certsDir, domain.id) } : { mode: 'internal' };
    case 'auto':
      return { mode: 'auto' };
    case 'internal':
      return { mode: 'internal' };
    case 'off':
      return { mode: 'off' };
  }
}

function edgeDomain(domain: DesiredDomain, tenantId: string, paths: EdgePathsInput): EdgeDomain {
  const base = {
    id: domain.id,
    hostname: domain.hostname,
    wwwRedirect: domain.wwwRedirect,
    tls: tlsOf(domain, paths.certsDir),
    accessLogPath: path.join(paths.logsDir, tenantId, `${domain.hostname}.log`),
  };
  if (domain.kind === 'redirect' && domain.redirectTo) {
    return { ...base, kind: 'redirect', redirectTo: domain.redirectTo, redirectStatus: domain.redirectCode === 302 ? 302 : 301 };
  }
  return { ...base, kind: domain.kind === 'alias' ? 'alias' : 'primary' };
}

/**
 * toDesiredEdge builds the whole edge from every tenant: each tenant's traffic goes to its Varnish port
 * when enabled, else to its webserver; `/static` and `/media` (or the site's own prefixes) are served
 * from the site's document root on disk; suspended tenants keep their routes (the builder answers them
 * with the suspended page).
 */
export function toDesiredEdge(tenants: DesiredTenant[], paths: EdgePathsInput): DesiredEdge {
  return {
    tenants: tenants.map((tenant) => ({
      id: tenant.id,
      status: tenant.status,
      upstreamPort: tenant.varnishEnabled ? tenant.ports.cache : tenant.ports.web,
      sites: tenant.sites.map((site) => ({
        id: site.id,
        documentRoot: path.join(paths.tenantsDir, tenant.id, 'sites', site.id, DOCUMENT_ROOT),
        ...(site.settings.staticPrefixes ? { staticPaths: site.settings.staticPrefixes.map((prefix) => ({ prefix })) } : {}),
        domains: site.domains.map((d) => edgeDomain(d, tenant.id, paths)),
      })),
    })),
  };
}
