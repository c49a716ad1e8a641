import type Docker from 'dockerode';
import { RuntimeError } from '../errors.js';
import { assertAppVersion, assertEnvName, assertPort, assertSlug, assertUid } from '../inputs.guard.js';
import { resolveImage } from '../catalog.js';
import { ownershipLabels } from '../labels.js';
import { SITES_MOUNT, appAlias, containerName } from '../naming.js';
import { ensureContainer, type EnsureResult } from '../docker/container.ops.js';
import { ensureTenantDirs, sitesDir } from '../docker/tenant-files.js';
import { hardenedHostConfig, networkAttachment } from './host-config.js';
import { ensureTenantNetwork } from './tenant-network.js';
import { databaseSocketBinds } from './database-server.js';
import { ensureTenantsRootShared } from '../disk/shared-mount.js';
import type { AppSite, DockerDriver, ResourceLimits, TenantIdentity } from '../runtime.types.js';

// Node/Python read and compile the app before they can fail; 1.5 s catches a crash at start (syntax error,
// missing module, port in use) without waiting for the app to be ready.
const APP_SETTLE_MS = 1500;

/** appComponent is the `berth.component` of an app site's container. */
export function appComponent(siteId: string): string {
  return `app-${siteId}`;
}

/**
 * ensureAppContainer converges the Node.js/Python container of one app site: the site's directory is its
 * working dir, it runs the site's command (no shell) as the tenant's uid with no capabilities, listens on
 * `port` (also in PORT) and is reachable only on the tenant bridge as `app-<site>`, through the webserver.
 * Any change of command, env, version or limits replaces it (new container first, then the old one goes).
 */
export async function ensureAppContainer(
  ctx: DockerDriver,
  params: { tenant: TenantIdentity; site: AppSite; limits: ResourceLimits; cgroupParent?: string },
): Promise<EnsureResult> {
  const { tenant, site } = params;
  const siteId = assertSlug(site.siteId, 'site id');
  const version = assertAppVersion(site.kind, site.version);
  const port = assertPort(site.port, 'app port');
  const uid = assertUid(tenant.uid);
  const gid = assertUid(tenant.gid, 'gid');
  if (site.command.length === 0 || site.command.some((c) => typeof c !== 'string' || c.includes('\0'))) {
    throw new RuntimeError('INVALID_INPUT', `Site ${siteId} needs a command (a list of arguments).`);
  }
  const env = Object.entries(site.env ?? {}).map(([k, v]) => {
    if (typeof v !== 'string' || v.includes('\0'))
      throw new RuntimeError('INVALID_INPUT', `Environment value of ${k} must be text.`);
    return `${assertEnvName(k)}=${v}`;
  });
  const net = await ensureTenantNetwork(ctx, { tenantId: tenant.tenantId });
  await ensureTenantDirs(ctx, tenant, [siteId]);
  // Its sites are bound with `rslave`, which Docker allows only from a shared (or slave) mount.
  await ensureTenantsRootShared(ctx);
  const component = appComponent(siteId);
  const create: Omit<Docker.ContainerCreateOptions, 'name' | 'Image' | 'Labels'> = {
    User: `${uid}:${gid}`,
    Cmd: site.command,
    // The bind source is the tenant's `sites/` (a path only the panel can replace), never `sites/<site>`:
    // the tenant could swap that for a link, and Docker resolves bind sources again on every restart, as
    // root, on the host. Inside the container a link resolves within the container's own filesystem.
    WorkingDir: `${SITES_MOUNT}/${siteId}`,
    Env: [`PORT=${port}`, 'HOME=/tmp', ...env.sort()],
    ExposedPorts: { [`${port}/tcp`]: {} },
    HostConfig: {
      ...hardenedHostConfig({
        network: net.name,
        limits: params.limits,
        capAdd: [],
        // rslave: the tenant's disk mounted on sites/ after this container started (a reboot) shows up in it.
        // …and the database servers' sockets (read-only), like the tenant's PHP containers.
        binds: [`${sitesDir(ctx, tenant.tenantId)}:${SITES_MOUNT}:rslave`, ...(await databaseSocketBinds(ctx))],
        // Node and Python write nothing outside the site but /tmp (HOME points there for npm and pip caches).
        scratch: [],
        ...(params.cgroupParent ? { cgroupParent: params.cgroupParent } : {}),
      }),
      // Node and Python do not reap orphans as PID 1: a cron job's background child killed at its timeout would
      // stay a zombie, counting against the pids limit. Docker's init (tini) reaps them.
      Init: true,
    },
    NetworkingConfig: networkAttachment(net.name, [appAlias(siteId)]),
  };
  return ensureContainer(ctx, {
    tenantId: tenant.tenantId,
    component,
    name: containerName(tenant.tenantId, component),
    image: resolveImage(ctx.profile, { role: 'app', kind: site.kind, version }),
    labels: {
      ...ownershipLabels({ instance: ctx.instance, tenantId: tenant.tenantId, role: 'app', component, siteId }),
      'berth.version': version,
    },
    create,
    settleMs: APP_SETTLE_MS,
  });
}
