import { PHP_POOL_BASE_PORT } from '../naming.js';
import type { PhpSite } from '../runtime.types.js';
import type { TPhpVersion } from '../contracts.js';

/**
 * assignPoolPorts gives each PHP site of one version its own PHP-FPM pool port inside that version's
 * container: sites sorted by id get 9000, 9001, … The webserver and the pool config call this same function,
 * so they always agree; a tenant with one site per version uses the official image's port 9000.
 */
export function assignPoolPorts(sites: readonly PhpSite[], version: TPhpVersion): Map<string, number> {
  const ids = sites
    .filter((s) => s.version === version)
    .map((s) => s.siteId)
    .sort();
  return new Map(ids.map((id, i) => [id, PHP_POOL_BASE_PORT + i]));
}
