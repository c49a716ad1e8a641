import type { DesiredDomain as EdgeDomain, DesiredTenant as EdgeTenant, DomainTls } from '@berth/caddy';
import type { DesiredDomain, DesiredTenant } from './desired.js';
import { siteDocumentRoot } from '@berth/runtime';

/** EdgeLayout says where the edge finds a tenant: its files as Caddy sees them, and the host its backends listen on. */
export interface EdgeLayout {
  /** `<dataDir>/tenants`, mounted read-only into Caddy at the same path. */
  tenantsDir: string;
  /** The address the tenant's published ports listen on, from Caddy's point of view (127.0.0.1 on one machine). */
  backendHost: string;
}

function tlsOf(domain: DesiredDomain): DomainTls {
  switch (domain.tls) {
    case 'custom':
      // A custom domain whose certificate is not available (yet) is served with the local CA rather than not at all.
      return domain.customCertificate
        ? { mode: 'custom', certificatePem: domain.customCertificate.chainPem, keyPem: domain.customCertificate.keyPem }
        : { mode: 'internal' };
    case 'auto':
      return { mode: 'auto' };
    case 'internal':
      return { mode: 'internal' };
    case 'off':
      return { mode: 'off' };
  }
}

function edgeDomain(domain: DesiredDomain): EdgeDomain {
  const base = {
    id: domain.id,
    hostname: domain.hostname,
    wwwRedirect: domain.wwwRedirect,
    tls: tlsOf(domain),
    accessLog: true,
  };
  if (domain.kind === 'redirect' && domain.redirectTo) {
    return {
      ...base,
      kind: 'redirect',
      redirectTo: domain.redirectTo,
      redirectStatus: domain.redirectCode === 302 ? 302 : 301,
    };
  }
  return { ...base, kind: domain.kind === 'alias' ? 'alias' : 'primary' };
}

/**
 * toEdgeTenant is what the edge serves for one tenant: its traffic goes to its Varnish port when enabled,
 * else to its webserver; `/static` and `/media` (or the site's own prefixes) are served from the site's
 * document root on disk; a suspended tenant keeps its hosts (they answer with the suspended page).
 */
export function toEdgeTenant(tenant: DesiredTenant, layout: EdgeLayout): EdgeTenant {
  const port = tenant.varnishEnabled ? tenant.ports.cache : tenant.ports.web;
  const host = layout.backendHost.includes(':') ? `[${layout.backendHost}]` : layout.backendHost;
  return {
    id: tenant.id,
    status: tenant.status,
    upstream: `${host}:${port}`,
    sites: tenant.sites.map((site) => ({
      id: site.id,
      documentRoot: siteDocumentRoot(layout.tenantsDir, tenant.id, site.id),
      ...(site.settings.staticPrefixes ? { staticPrefixes: site.settings.staticPrefixes } : {}),
      // A hostname waiting for its ownership check is neither served nor given a certificate.
      domains: site.domains.filter((d) => d.verified).map(edgeDomain),
    })),
  };
}
