import { createHash } from 'node:crypto';
import { PHP_POOL_BASE_PORT } from '../naming.js';
import type { PhpSite } from '../runtime.types.js';
import type { TPhpVersion } from '../contracts.js';

// Pool ports live inside the PHP container only, so a wide range (9000-18999) costs nothing and makes collisions rare.
const SLOTS = 10_000;

function slotOf(siteId: string): number {
  return createHash('sha256').update(siteId).digest().readUInt32BE(0) % SLOTS;
}

/**
 * assignPoolPorts gives each PHP site of one version its own PHP-FPM pool port inside that version's
 * container, derived from the site id (9000 + a hash slot, the next free slot on a collision). Ports are
 * therefore stable: adding or removing a site does not move the other sites' pools, so a change never
 * sends one site's requests to another site's pool while the webserver and PHP-FPM reload one after the
 * other. The webserver and the pool config call this same function, so they always agree.
 */
export function assignPoolPorts(sites: readonly PhpSite[], version: TPhpVersion): Map<string, number> {
  const ids = sites
    .filter((s) => s.version === version)
    .map((s) => ({ id: s.siteId, slot: slotOf(s.siteId) }))
    .sort((a, b) => a.slot - b.slot || a.id.localeCompare(b.id));
  const taken = new Set<number>();
  const ports = new Map<string, number>();
  for (const { id, slot } of ids) {
    let s = slot;
    while (taken.has(s)) s = (s + 1) % SLOTS;
    taken.add(s);
    ports.set(id, PHP_POOL_BASE_PORT + s);
  }
  return ports;
}
