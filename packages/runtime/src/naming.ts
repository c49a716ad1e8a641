import type { TPhpVersion } from './contracts.js';

// Names are derived, never stored: the same tenant/site always maps to the same container, alias and path,
// so a crashed reconcile pass finds what the previous one created.

/**
 * SITES_MOUNT is where a tenant's sites directory appears in its webserver, PHP-FPM and app containers (an
 * app runs in `SITES_MOUNT/<site>`).
 */
export const SITES_MOUNT = '/srv/sites';
/** WEB_ALIAS is the webserver's name on the tenant network (Varnish's backend). */
export const WEB_ALIAS = 'web';
/** PHP_POOL_BASE_PORT is the first PHP-FPM pool port; the official image's contract puts its pool on 9000. */
export const PHP_POOL_BASE_PORT = 9000;

/** phpAlias is the network name of the tenant's PHP-FPM container for one version (`php-8.2`). */
export function phpAlias(version: TPhpVersion): string {
  return `php-${version}`;
}

/** appAlias is the network name of an app site's container. */
export function appAlias(siteId: string): string {
  return `app-${siteId}`;
}

/** networkName is the tenant's private bridge. */
export function networkName(tenantId: string): string {
  return `berth-${tenantId}`;
}

/** containerName is `berth-<tenant>-<component>`, e.g. `berth-acme-php-8.2`, `berth-acme-app-blog`. */
export function containerName(tenantId: string, component: string): string {
  return `berth-${tenantId}-${component}`;
}
