import { assertSlug } from '../inputs.guard.js';
import { RuntimeError } from '../errors.js';
import { assignPoolPorts } from './php-pools.js';
import type { AppSite, PhpSite, SiteSpec, StaticSite } from '../runtime.types.js';

/** SiteBodies renders the inside of one site's server block/vhost, per site kind, for one webserver. */
export interface SiteBodies {
  php(site: PhpSite, poolPort: number): string;
  static(site: StaticSite): string;
  app(site: AppSite): string;
}

/**
 * renderSiteBlocks is what every webserver generator shares: sites in id order (identical input, byte-
 * identical output), ids checked, each hostname owned by one site only, the PHP pool port resolved, and
 * each site's body wrapped by the webserver's own block syntax.
 */
export function renderSiteBlocks(
  tenantId: string,
  input: readonly SiteSpec[],
  bodies: SiteBodies,
  wrap: (site: SiteSpec, body: string) => string,
): string[] {
  const sites = [...input].sort((a, b) => a.siteId.localeCompare(b.siteId));
  const phpSites = sites.filter((s): s is PhpSite => s.kind === 'php');
  const seen = new Set<string>();
  return sites.map((site) => {
    assertSlug(site.siteId, 'site id');
    for (const h of site.hostnames) {
      if (seen.has(h))
        throw new RuntimeError('INVALID_INPUT', `Hostname ${h} is used by two sites of tenant ${tenantId}.`);
      seen.add(h);
    }
    switch (site.kind) {
      case 'php': {
        const port = assignPoolPorts(phpSites, site.version).get(site.siteId);
        if (port === undefined) throw new RuntimeError('INVALID_INPUT', `No PHP pool for site ${site.siteId}.`);
        return wrap(site, bodies.php(site, port));
      }
      case 'static':
        return wrap(site, bodies.static(site));
      case 'node':
      case 'python':
        return wrap(site, bodies.app(site));
      default: {
        const never: never = site;
        throw new RuntimeError('INVALID_INPUT', `Unknown site kind in ${JSON.stringify(never)}`);
      }
    }
  });
}
