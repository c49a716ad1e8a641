import { createHash } from 'node:crypto';
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

/**
 * bridgeName is the Linux interface of a tenant network Berth creates: `bt-` and 10 hex of a hash of the
 * installation and the tenant (15 characters at most, unique per host even when installations share an
 * engine), so the egress rules name it without asking Docker. Networks created before this carry Docker's
 * own `br-<first 12 of the network id>`; `bridgeOf` reads whichever a network has.
 */
export function bridgeName(instance: string, tenantId: string): string {
  return `bt-${createHash('sha256').update(`${instance}/${tenantId}`).digest('hex').slice(0, 10)}`;
}

/** BRIDGE_NAME_OPTION is the Docker network option that names a bridge's Linux interface. */
export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';

/** bridgeOf is a bridge network's Linux interface: the name it was created with, or Docker's `br-<id>`. */
export function bridgeOf(network: { Id: string; Options?: Record<string, string> | null }): string {
  return network.Options?.[BRIDGE_NAME_OPTION] ?? `br-${network.Id.slice(0, 12)}`;
}

/** containerName is `berth-<tenant>-<component>`, e.g. `berth-acme-php-8.2`, `berth-acme-app-blog`. */
export function containerName(tenantId: string, component: string): string {
  return `berth-${tenantId}-${component}`;
}
