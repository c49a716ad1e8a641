import { join } from 'node:path';

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
