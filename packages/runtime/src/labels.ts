import { createHash } from 'node:crypto';

/** LABELS are the ownership labels Berth puts on everything it creates; nothing without them is touched. */
export const LABELS = {
  /** The panel installation that owns the object (several panels may share one engine; each touches only its own). */
  managed: 'berth.managed',
  tenant: 'berth.tenant',
  site: 'berth.site',
  role: 'berth.role',
  spec: 'berth.spec',
  /** Which part of the tenant a container is (`webserver`, `php-8.2`, `app-blog`, `varnish`). */
  component: 'berth.component',
} as const;

/** ContainerRole is the `berth.role` of a tenant container. */
export type ContainerRole = 'webserver' | 'php-fpm' | 'app' | 'varnish';

/**
 * ServiceRole is the `berth.role` of a container the panel runs for every tenant at once (a database server),
 * owned by a pseudo-tenant that is never a tenant slug (DATABASES_OWNER).
 */
export type ServiceRole = 'database' | 'dbadmin' | 'installer' | 'sftp' | 'backup';

/**
 * isServiceOwner tells a pseudo-tenant owner of the panel's own services (`_databases`, `_sftp`, `_backups`)
 * from a tenant id, which never starts with `_`. (The edge's owner, EDGE_OWNER, predates the rule.)
 */
export function isServiceOwner(owner: string): boolean {
  return owner.startsWith('_');
}

/** ownershipLabels are the labels for one tenant object; `spec` is added by the container layer. */
export function ownershipLabels(args: {
  instance: string;
  tenantId: string;
  role?: ContainerRole | ServiceRole | 'network';
  component?: string;
  siteId?: string;
}): Record<string, string> {
  const labels: Record<string, string> = { [LABELS.managed]: args.instance, [LABELS.tenant]: args.tenantId };
  if (args.role) labels[LABELS.role] = args.role;
  if (args.component) labels[LABELS.component] = args.component;
  if (args.siteId) labels[LABELS.site] = args.siteId;
  return labels;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/**
 * hashSpec is the `berth.spec` value: a short stable hash of a desired container definition (key order does
 * not matter). A running container whose label differs from the desired hash is replaced.
 */
export function hashSpec(spec: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(spec)))
    .digest('hex')
    .slice(0, 16);
}

/** hashText is a stable hash of a generated config file (to tell whether a reload is due). */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
