import { RuntimeError } from './errors.js';
import { assertAppVersion } from './inputs.guard.js';
import type { TPhpVersion, TWebserverKind } from './contracts.js';
import type { ImageProfile } from './runtime.types.js';

/** ImageRef says which image serves a role and, for profile `local`, which docker/build.sh target makes it. */
export interface ImageRef {
  image: string;
  buildTarget: string;
}

/**
 * DATABASE_ENGINES are the database servers the panel runs for its tenants: one container per installation and
 * engine (`ensureDatabaseServer`), each reached through its unix socket only.
 */
export const DATABASE_ENGINES = ['mariadb', 'postgresql'] as const;
/** DatabaseEngine is one of DATABASE_ENGINES. */
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/** ImageRequest names a role of the data path and, where it has versions, the catalog version. */
export type ImageRequest =
  | { role: 'webserver'; kind: TWebserverKind }
  | { role: 'php-fpm'; version: TPhpVersion }
  | { role: 'app'; kind: 'node' | 'python'; version: string }
  | { role: 'varnish' }
  | { role: 'caddy' }
  | { role: 'database'; engine: DatabaseEngine }
  | { role: 'dbadmin' }
  | { role: 'wordpress' }
  | { role: 'sftp' }
  | { role: 'backup' };

const LOCAL = {
  nginx: 'berth/nginx:1',
  apache: 'berth/apache:2.4',
  varnish: 'berth/varnish:7',
  caddy: 'berth/caddy:2.11',
  mariadb: 'berth/mariadb:10.11',
  postgresql: 'berth/postgresql:15',
  dbadmin: 'berth/dbadmin:1',
  wordpress: 'berth/wordpress:6',
  sftp: 'berth/sftp:1',
  restic: 'berth/restic:1',
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
  // The database servers are always Berth's builds too: the upstream `mariadb`/`postgres` images listen on TCP,
  // create an admin password and keep their config in the data dir, which is not the contract the runtime needs
  // (socket only, admin by the server's own uid, config outside the data).
  mariadb: 'berth/mariadb:10.11',
  postgresql: 'berth/postgresql:15',
  // phpMyAdmin/Adminer with Berth's single sign-on, and the WordPress files Berth installs: its own builds too.
  dbadmin: 'berth/dbadmin:1',
  wordpress: 'berth/wordpress:6',
  // SFTP (OpenSSH's internal-sftp, chroot per tenant) and backups (restic): Berth's builds, like the ones above.
  sftp: 'berth/sftp:1',
  restic: 'berth/restic:1',
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
    case 'database':
      return { image: t[assertDatabaseEngine(req.engine)], buildTarget: req.engine };
    case 'dbadmin':
      return { image: t.dbadmin, buildTarget: 'dbadmin' };
    case 'wordpress':
      return { image: t.wordpress, buildTarget: 'wordpress' };
    case 'sftp':
      return { image: t.sftp, buildTarget: 'sftp' };
    case 'backup':
      return { image: t.restic, buildTarget: 'restic' };
    default: {
      const never: never = req;
      throw new RuntimeError('INVALID_INPUT', `Unknown image role ${JSON.stringify(never)}`);
    }
  }
}

/** assertDatabaseEngine accepts only DATABASE_ENGINES (the engine ends up in container names and paths). */
export function assertDatabaseEngine(value: string): DatabaseEngine {
  if (!(DATABASE_ENGINES as readonly string[]).includes(value)) {
    throw new RuntimeError(
      'INVALID_INPUT',
      `Invalid database engine ${JSON.stringify(value)}; use one of ${DATABASE_ENGINES.join(', ')}.`,
    );
  }
  return value as DatabaseEngine;
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
