import { assertPhpVersion, assertSlug } from '../inputs.guard.js';
import { appComponent } from './app-container.js';
import { phpComponent } from './php-fpm.js';
import { VARNISH_COMPONENT } from './varnish.js';
import { WEBSERVER_COMPONENT } from './webserver.js';

/** ComponentSetInput is the little a tenant's container set depends on: the cache switch and each site's kind. */
export interface ComponentSetInput {
  varnish: boolean;
  sites: readonly { siteId: string; kind: string; version?: string }[];
}

/**
 * expectedComponents is the one definition of a tenant's container set (`berth.component` values): its
 * webserver, Varnish when the cache is on, one PHP-FPM per PHP version its sites use, and one container per
 * Node.js or Python site. The runtime converges to it and removes the rest; the reconciler's plan compares
 * Docker with it. Sorted, so two sets compare as arrays.
 */
export function expectedComponents(input: ComponentSetInput): string[] {
  const set = new Set<string>([WEBSERVER_COMPONENT]);
  if (input.varnish) set.add(VARNISH_COMPONENT);
  for (const site of input.sites) {
    if (site.kind === 'php' && site.version !== undefined) set.add(phpComponent(assertPhpVersion(site.version)));
    if (site.kind === 'node' || site.kind === 'python') set.add(appComponent(assertSlug(site.siteId, 'site id')));
  }
  return [...set].sort();
}
