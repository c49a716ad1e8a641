import { RuntimeError } from './errors.js';
import { assertAppVersion } from './inputs.guard.js';
import type { TPhpVersion, TWebserverKind } from './contracts.js';
import type { ImageProfile } from './runtime.types.js';

/** ImageRef says which image serves a role and, for profile `local`, which docker/build.sh target makes it. */
export interface ImageRef {
  image: string;
  buildTarget: string;
}

/** ImageRequest names a role of the data path and, where it has versions, the catalog version. */
export type ImageRequest =
  | { role: 'webserver'; kind: TWebserverKind }
  | { role: 'php-fpm'; version: TPhpVersion }
  | { role: 'app'; kind: 'node' | 'python'; version: string }
  | { role: 'varnish' }
  | { role: 'caddy' };

const LOCAL = {
  nginx: 'berth/nginx:1',
  apache: 'berth/apache:2.4',
  varnish: 'berth/varnish:7',
  caddy: 'berth/caddy:2.11',
  php: (v: string) => `berth/php-fpm:${v}`,
  node: (v: string) => `berth/node:${v}`,
  python: (v: string) => `berth/python:${v}`,
};

const OFFICIAL = {
  nginx: 'nginx:1.27',
  apache: 'httpd:2.4',
  varnish: 'varnish:7',
  // The edge is always Berth's own Caddy build (no upstream image carries its host table module).
  caddy: 'berth/caddy:2.11',
  php: (v: string) => `php:${v}-fpm`,
  node: (v: string) => `node:${v}`,
  python: (v: string) => `python:${v}`,
};

/**
 * resolveImage maps a role (and catalog version) to an image for a profile. Both profiles honour the same
 * container contract (paths, ports, entrypoints), so switching `BERTH_IMAGE_PROFILE` needs no other change.
 */
export function resolveImage(profile: ImageProfile, req: ImageRequest): ImageRef {
  const t = profile === 'official' ? OFFICIAL : LOCAL;
  switch (req.role) {
    case 'webserver':
      return { image: t[req.kind], buildTarget: req.kind };
    case 'php-fpm':
      // A TPhpVersion is a catalog version by its type (parsed once, at the API); node and python versions are text.
      return { image: t.php(req.version), buildTarget: `php-fpm-${req.version}` };
    case 'app': {
      const v = assertAppVersion(req.kind, req.version);
      return { image: t[req.kind](v), buildTarget: `${req.kind}-${v}` };
    }
    case 'varnish':
      return { image: t.varnish, buildTarget: 'varnish' };
    case 'caddy':
      return { image: t.caddy, buildTarget: 'caddy' };
    default: {
      const never: never = req;
      throw new RuntimeError('INVALID_INPUT', `Unknown image role ${JSON.stringify(never)}`);
    }
  }
}

/** parseImageProfile reads BERTH_IMAGE_PROFILE-style text; anything but `official` means `local`. */
export function parseImageProfile(value: string | undefined): ImageProfile {
  if (value === undefined || value === '' || value === 'local') return 'local';
  if (value === 'official') return 'official';
  throw new RuntimeError(
    'INVALID_INPUT',
    `BERTH_IMAGE_PROFILE must be "local" or "official", got ${JSON.stringify(value)}`,
  );
}
