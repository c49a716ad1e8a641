import { join } from 'node:path';
import { assertDatabaseEngine, type DatabaseEngine } from './catalog.js';

/**
 * The on-disk layout of an installation, decided here once. Everything lives under the data directory:
 *
 *   <dataDir>/tenants/<tenant>/sites/<site>/public   a site's document root (the tenant's files: sites/ and
 *                                                     below are owned by the tenant's uid)
 *   <dataDir>/tenants/<tenant>/config/<component>/   generated configs (root-owned, mounted read-only)
 *   <dataDir>/tenants/<tenant>/state/                what the runtime last applied, and secrets (0700)
 *   <dataDir>/tenants/<tenant>/disk.img              the tenant's filesystem (ext4, the plan's disk size),
 *                                                     loop-mounted on sites/ (0600, root's)
 *   <dataDir>/caddy/                                  the edge: skeleton, admin socket, certificate storage,
 *                                                     host table snapshot, per-host access logs (edgePaths)
 *   <dataDir>/databases/<engine>/                     a database server (databaseDir): data/ (its data dir, the
 *                                                     server's uid, 0700), run/ (its socket, the dir tenant
 *                                                     containers bind), config/<hash>/ (its generated tuning,
 *                                                     root's, one version per container)
 *   <dataDir>/databases/admin/                        the database admin tools (dbAdminDir, root's, 0700):
 *                                                     sso/ (single sign-on tickets, 0700, the tools' uid),
 *                                                     config/ (the secrets the runtime generated once, 0700,
 *                                                     the tools' uid, mounted read-only)
 *
 * Paths are built by these functions only; callers validate ids before they reach a path.
 */
export const LAYOUT = {
  tenants: 'tenants',
  sites: 'sites',
  documentRoot: 'public',
  config: 'config',
  state: 'state',
  diskImage: 'disk.img',
  edge: 'caddy',
  edgeLogs: 'logs',
} as const;

/** DOCUMENT_ROOT is the subdirectory of a site's directory that is served (files beside it stay private). */
export const DOCUMENT_ROOT = LAYOUT.documentRoot;

/** tenantsRoot is `<dataDir>/tenants`, the static base the edge reads sites from (read-only). */
export function tenantsRoot(dataDir: string): string {
  return join(dataDir, LAYOUT.tenants);
}

/** tenantSitesDir is `<tenants>/<tenant>/sites`, everything a tenant's sites hold (its disk usage). */
export function tenantSitesDir(tenantsDir: string, tenantId: string): string {
  return join(tenantsDir, tenantId, LAYOUT.sites);
}

/** tenantDiskImage is `<tenants>/<tenant>/disk.img`, the filesystem mounted on the tenant's sites/. */
export function tenantDiskImage(tenantsDir: string, tenantId: string): string {
  return join(tenantsDir, tenantId, LAYOUT.diskImage);
}

/** siteDocumentRoot is `<tenants>/<tenant>/sites/<site>/public`. */
export function siteDocumentRoot(tenantsDir: string, tenantId: string, siteId: string): string {
  return join(tenantSitesDir(tenantsDir, tenantId), siteId, LAYOUT.documentRoot);
}

/** edgeDir is `<dataDir>/caddy`, the managed edge's own directory. */
export function edgeDir(dataDir: string): string {
  return join(dataDir, LAYOUT.edge);
}

/** edgeLogsDir is where the edge writes per-host access logs, `<logs>/<tenant>/<host>.log`. */
export function edgeLogsDir(dataDir: string): string {
  return join(edgeDir(dataDir), LAYOUT.edgeLogs);
}

/**
 * DATABASE_LAYOUT names the parts of a database server's directory; separate from LAYOUT, whose keys are the
 * tenants' and the edge's.
 */
export const DATABASE_LAYOUT = {
  databases: 'databases',
  data: 'data',
  run: 'run',
  config: 'config',
} as const;

/** databasesRoot is `<dataDir>/databases`, where every database server of the installation keeps its files. */
export function databasesRoot(dataDir: string): string {
  return join(dataDir, DATABASE_LAYOUT.databases);
}

/** databaseDir is `<dataDir>/databases/<engine>`, one engine's server (one per installation and engine). */
export function databaseDir(dataDir: string, engine: DatabaseEngine): string {
  return join(databasesRoot(dataDir), assertDatabaseEngine(engine));
}

/** databaseDataDir is `<databaseDir>/data`, the server's data dir (owned by the server's uid, 0700). */
export function databaseDataDir(dataDir: string, engine: DatabaseEngine): string {
  return join(databaseDir(dataDir, engine), DATABASE_LAYOUT.data);
}

/**
 * databaseSocketDir is `<databaseDir>/run`, the server's socket dir: the only way in, bound into the server and
 * (read-only) into the containers that may connect.
 */
export function databaseSocketDir(dataDir: string, engine: DatabaseEngine): string {
  return join(databaseDir(dataDir, engine), DATABASE_LAYOUT.run);
}

/**
 * databaseConfigDir is `<databaseDir>/config`, the tuning the runtime renders from the server's limits: one
 * `<hash>/` per version (root's), of which each container binds its own, read-only.
 */
export function databaseConfigDir(dataDir: string, engine: DatabaseEngine): string {
  return join(databaseDir(dataDir, engine), DATABASE_LAYOUT.config);
}

/**
 * DB_ADMIN_LAYOUT names the parts of the database admin tools' directory, `<dataDir>/databases/admin` (beside the
 * engines' directories: `admin` is no engine, so databaseDir never returns it).
 */
export const DB_ADMIN_LAYOUT = {
  admin: 'admin',
  sso: 'sso',
  config: 'config',
} as const;

/** dbAdminDir is `<dataDir>/databases/admin`, the database admin tools' own directory (root's, 0700). */
export function dbAdminDir(dataDir: string): string {
  return join(databasesRoot(dataDir), DB_ADMIN_LAYOUT.admin);
}

/**
 * dbAdminSsoDir is `<dbAdminDir>/sso`, where the panel leaves single sign-on tickets for the tools' container
 * (owned by its uid, 0700, bound read-write: the container claims and deletes them).
 */
export function dbAdminSsoDir(dataDir: string): string {
  return join(dbAdminDir(dataDir), DB_ADMIN_LAYOUT.sso);
}

/** dbAdminConfigDir is `<dbAdminDir>/config`, the secrets the runtime generated once (the tools' uid, 0700, bound read-only). */
export function dbAdminConfigDir(dataDir: string): string {
  return join(dbAdminDir(dataDir), DB_ADMIN_LAYOUT.config);
}
