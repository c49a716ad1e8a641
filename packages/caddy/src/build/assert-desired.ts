import type { DesiredEdge } from '../desired.js';
import { DEFAULT_STATIC_PATHS } from '../desired.js';
import {
  CaddyConfigInputError,
  assertAbsolutePath,
  assertHostname,
  assertId,
  assertPort,
  assertStaticPrefix,
  normalizeHttpUrl,
} from './assert-input.js';
import { resolveDomainHosts } from './domain-routes.js';

/**
 * assertDesiredEdge re-checks every field of the desired state that ends up in Caddy's config and throws
 * CaddyConfigInputError on the first bad one. It also refuses a hostname served twice (Caddy would silently
 * serve the first route) and duplicate ids (Caddy rejects duplicate `@id`s with a 400).
 */
export function assertDesiredEdge(desired: DesiredEdge): void {
  const hostOwners = new Map<string, string>();
  const ids = { tenant: new Set<string>(), site: new Set<string>(), domain: new Set<string>() };
  const once = (kind: keyof typeof ids, value: string): void => {
    assertId({ field: `${kind}.id`, value });
    if (ids[kind].has(value)) throw new CaddyConfigInputError({ field: `${kind}.id`, value, reason: 'duplicate id' });
    ids[kind].add(value);
  };

  for (const tenant of desired.tenants) {
    once('tenant', tenant.id);
    if (tenant.status !== 'active' && tenant.status !== 'suspended') {
      throw new CaddyConfigInputError({ field: 'tenant.status', value: tenant.status, reason: 'not active|suspended' });
    }
    assertPort({ field: 'tenant.upstreamPort', value: tenant.upstreamPort });
    for (const site of tenant.sites) {
      once('site', site.id);
      assertAbsolutePath({ field: 'site.documentRoot', value: site.documentRoot });
      const prefixes = new Set<string>();
      for (const staticPath of site.staticPaths ?? DEFAULT_STATIC_PATHS) {
        assertStaticPrefix({ field: 'site.staticPaths.prefix', value: staticPath.prefix });
        if (prefixes.has(staticPath.prefix)) {
          throw new CaddyConfigInputError({ field: 'site.staticPaths.prefix', value: staticPath.prefix, reason: 'duplicate prefix' });
        }
        prefixes.add(staticPath.prefix);
        if (staticPath.directory !== undefined) assertAbsolutePath({ field: 'site.staticPaths.directory', value: staticPath.directory });
      }
      for (const domain of site.domains) {
        once('domain', domain.id);
        assertHostname({ field: 'domain.hostname', value: domain.hostname });
        if (!['none', 'www-to-apex', 'apex-to-www'].includes(domain.wwwRedirect)) {
          throw new CaddyConfigInputError({ field: 'domain.wwwRedirect', value: domain.wwwRedirect, reason: 'unknown mode' });
        }
        for (const host of resolveDomainHosts(domain).all) {
          assertHostname({ field: 'domain.hostname', value: host });
          const owner = hostOwners.get(host);
          if (owner !== undefined) {
            throw new CaddyConfigInputError({ field: 'domain.hostname', value: host, reason: `already served by domain ${owner}` });
          }
          hostOwners.set(host, domain.id);
        }
        switch (domain.tls.mode) {
          case 'auto':
          case 'internal':
          case 'off':
            break;
          case 'custom':
            assertAbsolutePath({ field: 'domain.tls.certificateFile', value: domain.tls.certificateFile });
            assertAbsolutePath({ field: 'domain.tls.keyFile', value: domain.tls.keyFile });
            break;
          default:
            throw new CaddyConfigInputError({ field: 'domain.tls.mode', value: (domain.tls as { mode: unknown }).mode, reason: 'unknown mode' });
        }
        if (domain.accessLogPath !== undefined) assertAbsolutePath({ field: 'domain.accessLogPath', value: domain.accessLogPath });
        if (domain.kind === 'redirect') {
          const href = normalizeHttpUrl({ field: 'domain.redirectTo', value: domain.redirectTo });
          if (href !== domain.redirectTo) {
            throw new CaddyConfigInputError({ field: 'domain.redirectTo', value: domain.redirectTo, reason: `not normalised (expected ${href})` });
          }
          if (domain.redirectStatus !== 301 && domain.redirectStatus !== 302) {
            throw new CaddyConfigInputError({ field: 'domain.redirectStatus', value: domain.redirectStatus, reason: 'not 301|302' });
          }
          const url = new URL(href);
          if (domain.preservePath !== false && (url.search !== '' || url.hash !== '')) {
            throw new CaddyConfigInputError({ field: 'domain.redirectTo', value: href, reason: 'a query or fragment cannot be combined with preservePath' });
          }
        } else if (domain.kind !== 'primary' && domain.kind !== 'alias') {
          throw new CaddyConfigInputError({ field: 'domain.kind', value: (domain as { kind: unknown }).kind, reason: 'unknown kind' });
        }
      }
    }
  }
}
